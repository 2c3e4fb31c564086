"""Identity Center applications are served as Entitlements of type "application".

A tiny organisation gets two more applications in the simulator, through boto3:
Payroll, assigned to one user directly and to a group (one of whose members is
also the direct holder), and Wiki, which requires no assignment and has none.
After a sync, /Entitlements, the users and the groups show them, compared with
what AWS holds (ListApplications, ListApplicationAssignments).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from connector.config import Settings
from connector.connection import connect
from connector.record_keys import application_entitlement_id
from connector.simulator import Manifest, SimulatedAws, load_plan, simulated_aws
from connector.simulator.seed import PRESETS, plan_organisation
from connector.store.store import Store
from connector.sync import run_sync
from connector.tokens import create_token
from scim.app import create_app
from tests.simulation import simulator_settings

AWS_USER = "urn:identity-center-connector:scim:schemas:extension:aws:2.0:User"
AWS_GROUP = "urn:identity-center-connector:scim:schemas:extension:aws:2.0:Group"
CUSTOM_SAML = "arn:aws:sso::aws:applicationProvider/custom-saml"


@dataclass
class Organisation:
    aws: SimulatedAws
    manifest: Manifest
    settings: Settings
    store: Store
    client: FlaskClient
    token: str
    payroll: str  # ApplicationArn
    wiki: str
    holder: str  # a user assigned Payroll directly, and a member of `group`
    group: str  # a group assigned Payroll
    members: set[str]  # the users of `group`

    def get(self, url: str) -> Any:
        response = self.client.get(url, headers={"Authorization": f"Bearer {self.token}"})
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def ids(self, endpoint: str, filter_text: str) -> set[str]:
        body = self.get(f"/scim/v2/{endpoint}?count=1000&filter={quote(filter_text)}")
        assert body["totalResults"] == len(body["Resources"])
        return {r["id"] for r in body["Resources"]}

    def sync(self) -> None:
        run_sync(self.settings, self.store, connect(self.settings))


def organisation(url: str) -> Iterator[Organisation]:
    """The organisation, synced into the store at `url`, the simulator kept running."""
    with simulated_aws() as aws:
        manifest = load_plan(plan_organisation(PRESETS["tiny"]))
        memberships = manifest.expected_memberships()
        group = sorted(g for g, _ in memberships)[0]
        members = {u for g, u in memberships if g == group}
        holder = sorted(members)[0]
        sso = aws.sso_admin
        payroll = sso.create_application(
            InstanceArn=aws.instance_arn,
            Name="Acme Payroll",
            Description="Salaries",
            ApplicationProviderArn=CUSTOM_SAML,
        )["ApplicationArn"]
        wiki = sso.create_application(
            InstanceArn=aws.instance_arn, Name="Acme Wiki", ApplicationProviderArn=CUSTOM_SAML
        )["ApplicationArn"]
        sso.put_application_assignment_configuration(ApplicationArn=wiki, AssignmentRequired=False)
        for kind, principal in (("USER", holder), ("GROUP", group)):
            sso.create_application_assignment(
                ApplicationArn=payroll, PrincipalType=kind, PrincipalId=principal
            )
        settings = simulator_settings(url)
        store = Store.open(url)
        organisation = Organisation(
            aws,
            manifest,
            settings,
            store,
            create_app(settings, store=store).test_client(),
            create_token(store, "reader", "read"),
            payroll,
            wiki,
            holder,
            group,
            members,
        )
        organisation.sync()
        yield organisation
        store.close()


@pytest.fixture(scope="module")
def org(store_url_module: str) -> Iterator[Organisation]:
    yield from organisation(store_url_module)


def _assigned_in_aws(aws: SimulatedAws, arn: str) -> set[tuple[str, str]]:
    pages = aws.sso_admin.get_paginator("list_application_assignments").paginate(ApplicationArn=arn)
    return {
        (a["PrincipalType"], a["PrincipalId"])
        for page in pages
        for a in page["ApplicationAssignments"]
    }


def test_every_application_is_served_with_exactly_its_members(org: Organisation) -> None:
    in_aws = {
        a["ApplicationArn"]: a
        for page in org.aws.sso_admin.get_paginator("list_applications").paginate(
            InstanceArn=org.aws.instance_arn
        )
        for a in page["Applications"]
    }
    only_applications = quote('type eq "application"')
    body = org.get(f"/scim/v2/Entitlements?count=1000&filter={only_applications}")
    served = {e["id"]: e for e in body["Resources"]}
    assert set(served) == {application_entitlement_id(arn) for arn in in_aws}
    for arn, application in in_aws.items():
        entitlement = served[application_entitlement_id(arn)]
        assert entitlement["type"] == "application"
        assert entitlement["displayName"] == application["Name"]
        assert entitlement["application"]["arn"] == arn
        assert entitlement["application"]["providerArn"] == application["ApplicationProviderArn"]
        assert entitlement["application"]["status"] == application["Status"]
        assert {(m["type"].upper(), m["value"]) for m in entitlement.get("members", [])} == (
            _assigned_in_aws(org.aws, arn)
        )
    payroll = served[application_entitlement_id(org.payroll)]
    assert payroll["application"]["description"] == "Salaries"
    assert payroll["application"]["assignmentRequired"] is True
    named = {m["value"]: m for m in payroll["members"]}
    group = org.aws.identity_store.describe_group(
        IdentityStoreId=org.aws.identity_store_id, GroupId=org.group
    )
    assert named[org.group]["display"] == group["DisplayName"]
    assert named[org.group]["$ref"].endswith(f"/Groups/{org.group}")
    assert named[org.holder]["$ref"].endswith(f"/Users/{org.holder}")
    assert named[org.holder]["grantedThrough"] == "outOfBand"


def test_an_application_open_to_every_user_is_served_without_implied_members(
    org: Organisation,
) -> None:
    wiki = org.get(f"/scim/v2/Entitlements/{application_entitlement_id(org.wiki)}")
    assert wiki["application"]["assignmentRequired"] is False
    assert wiki.get("members", []) == []
    assert org.ids("Entitlements", "application.assignmentRequired eq false") >= {
        application_entitlement_id(org.wiki)
    }
    assert application_entitlement_id(org.payroll) not in org.ids(
        "Entitlements", "application.assignmentRequired eq false"
    )


def test_filters_select_exactly_the_entitlements_of_either_kind(org: Organisation) -> None:
    every = org.ids("Entitlements", "id pr")
    applications = {e for e in every if e.startswith("app.")}
    assert org.ids("Entitlements", 'type eq "application"') == applications
    assert org.ids("Entitlements", 'type eq "permissionSet"') == every - applications
    assert org.ids("Entitlements", 'displayName eq "Acme Payroll"') == {
        application_entitlement_id(org.payroll)
    }
    held_directly = {
        e["value"] for e in org.get(f"/scim/v2/Users/{org.holder}").get("entitlements", [])
    }
    assert application_entitlement_id(org.payroll) in held_directly
    assert org.ids("Entitlements", f'members.value eq "{org.holder}"') == held_directly
    applications_of_group = {
        application_entitlement_id(a["ApplicationArn"])
        for a in org.aws.sso_admin.list_application_assignments_for_principal(
            InstanceArn=org.aws.instance_arn, PrincipalType="GROUP", PrincipalId=org.group
        )["ApplicationAssignments"]
    }
    assert application_entitlement_id(org.payroll) in applications_of_group
    assert (
        org.ids("Entitlements", f'type eq "application" and members.value eq "{org.group}"')
        == applications_of_group
    )


@pytest.mark.parametrize("sort_by", ["displayName", "id", "type"])
def test_pages_across_both_kinds_are_stable_and_complete(org: Organisation, sort_by: str) -> None:
    whole = org.get(f"/scim/v2/Entitlements?count=1000&sortBy={sort_by}")
    order = [e["id"] for e in whole["Resources"]]
    paged: list[str] = []
    for start in range(1, whole["totalResults"] + 1, 4):
        page = org.get(f"/scim/v2/Entitlements?startIndex={start}&count=4&sortBy={sort_by}")
        assert page["totalResults"] == whole["totalResults"]
        paged += [e["id"] for e in page["Resources"]]
    assert paged == order
    assert len(set(order)) == len(order)
    assert {e["type"] for e in whole["Resources"]} == {"permissionSet", "application"}
    keys = [
        (e[sort_by].lower(), e["id"]) if sort_by == "displayName" else (e[sort_by], e["id"])
        for e in whole["Resources"]
    ]
    assert keys == sorted(keys)


def test_a_user_shows_its_applications_directly_and_through_its_group(org: Organisation) -> None:
    payroll = application_entitlement_id(org.payroll)
    user = org.get(
        f"/scim/v2/Users/{org.holder}?attributes=entitlements,{AWS_USER}:effectiveAccess"
    )
    assert {"value": payroll, "display": "Acme Payroll", "type": "application"} in user[
        "entitlements"
    ]
    routes = {
        (e["via"], e.get("viaGroup")): e
        for e in user[AWS_USER]["effectiveAccess"]
        if e["value"] == payroll
    }
    assert set(routes) == {("direct", None), ("group", org.group)}
    through_group = routes[("group", org.group)]
    assert through_group["type"] == "application"
    assert through_group["applicationArn"] == org.payroll
    assert through_group["applicationName"] == "Acme Payroll"
    assert through_group["viaGroupDisplay"]
    other = sorted(org.members - {org.holder})[0]
    other_user = org.get(
        f"/scim/v2/Users/{other}?attributes=entitlements,{AWS_USER}:effectiveAccess"
    )
    assert payroll not in {e["value"] for e in other_user.get("entitlements", [])}
    assert [
        (e["via"], e["viaGroup"])
        for e in other_user[AWS_USER]["effectiveAccess"]
        if e["value"] == payroll
    ] == [("group", org.group)]


def test_users_and_groups_filter_by_the_applications_they_hold(org: Organisation) -> None:
    payroll = application_entitlement_id(org.payroll)
    assert org.ids("Users", f'entitlements.value eq "{payroll}"') == {org.holder}
    assert org.ids("Users", 'entitlements.type eq "application"') == {org.holder}
    assert org.ids("Groups", f'{AWS_GROUP}:entitlements.value eq "{payroll}"') == {org.group}
    group = org.get(f"/scim/v2/Groups/{org.group}")
    assert {"value": payroll, "display": "Acme Payroll", "type": "application"} in group[AWS_GROUP][
        "entitlements"
    ]
    assert org.ids("Users", f'{AWS_USER}:effectiveAccess.value eq "{payroll}"') == (
        org.members | {org.holder}
    )
    assert org.ids(
        "Users",
        f'{AWS_USER}:effectiveAccess[value eq "{payroll}" and type eq "application"'
        " and applicationArn pr]",
    ) == (org.members | {org.holder})


def test_schemas_publish_the_application_attributes_and_both_kinds(org: Organisation) -> None:
    schema = org.get("/scim/v2/Schemas/urn:identity-center-connector:scim:schemas:2.0:Entitlement")
    attributes = {a["name"]: a for a in schema["attributes"]}
    assert attributes["type"]["canonicalValues"] == ["permissionSet", "application"]
    application = {a["name"]: a for a in attributes["application"]["subAttributes"]}
    assert set(application) == {
        "arn",
        "name",
        "description",
        "providerArn",
        "status",
        "assignmentRequired",
    }
    assert application["assignmentRequired"]["type"] == "boolean"
    assert all(a["mutability"] == "readOnly" for a in application.values())
    user = org.get(f"/scim/v2/Schemas/{AWS_USER}")
    access = next(a for a in user["attributes"] if a["name"] == "effectiveAccess")
    routes = {a["name"]: a for a in access["subAttributes"]}
    assert {"type", "applicationArn", "applicationName"} <= set(routes)
    assert routes["type"]["canonicalValues"] == ["permissionSet", "application"]
    kinds = org.get("/scim/v2/ResourceTypes/Entitlement")
    assert kinds["endpoint"] == "/Entitlements"
    assert "application" in kinds["description"]
