"""Guardrails forbid grants by rule and cap changes per request; a bad policy stops the start."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from connector.errors import ConfigError
from connector.guardrails import GuardContext, Guardrails, Violation
from connector.intents import Intent, PrincipalType
from connector.writers.applications import GrantApplication, RevokeApplication
from connector.writers.assignments import Grant, Revoke
from connector.writers.groups import CreateGroup, DeleteGroup, UpdateGroup
from connector.writers.memberships import AddMember, RemoveMember
from connector.writers.users import CreateUser, DeleteUser, UpdateUser

INSTANCE = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
ADMIN = f"{INSTANCE}/ps-aaaaaaaaaaaaaaaa"
READ_ONLY = f"{INSTANCE}/ps-bbbbbbbbbbbbbbbb"
MANAGEMENT = "999999999999"
PROD = "111122223333"
DEV = "444455556666"
PARENTS = {
    MANAGEMENT: ["r-ab12"],
    PROD: ["ou-ab12-prod0001", "ou-ab12-workload", "r-ab12"],
    DEV: ["ou-ab12-dev00001", "ou-ab12-workload", "r-ab12"],
}


def write_policy(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "guardrails.toml"
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, text: str) -> Guardrails:
    return Guardrails.load(write_policy(tmp_path, text))


def context(
    *,
    management: str | None = MANAGEMENT,
    parents_of: Callable[[str], Sequence[str]] = PARENTS.__getitem__,
    account_names: dict[str, str] | None = None,
    permission_set_names: dict[str, str] | None = None,
) -> GuardContext:
    return GuardContext(
        management_account_id=management,
        account_names={MANAGEMENT: "management", PROD: "prod-payments", DEV: "dev-sandbox"}
        if account_names is None
        else account_names,
        permission_set_names={ADMIN: "AdministratorAccess", READ_ONLY: "ReadOnlyAccess"}
        if permission_set_names is None
        else permission_set_names,
        parents_of=parents_of,
    )


def grant(
    account: str = PROD,
    permission_set: str = ADMIN,
    principal_type: PrincipalType = "GROUP",
    principal: str = "g-1",
) -> Grant:
    return Grant(
        account_id=account,
        permission_set_arn=permission_set,
        principal_type=principal_type,
        principal_id=principal,
    )


def never_asked(account: str) -> Sequence[str]:
    """The organisation's answer where a test proves it is not asked for parents."""
    raise AssertionError(f"parents_of({account}) called")


def refused_by(guardrails: Guardrails, *intents: Intent, ctx: GuardContext | None = None) -> str:
    violation = guardrails.check(intents, ctx or context())
    return "" if violation is None else violation.rule


# -- selectors ------------------------------------------------------------------------


def test_no_guardrails_allow_everything() -> None:
    assert Guardrails.none().check([grant(account=MANAGEMENT)] * 500, context()) is None


def test_a_file_without_rules_allows_everything(tmp_path: Path) -> None:
    assert refused_by(load(tmp_path, ""), grant(account=MANAGEMENT)) == ""


@pytest.mark.parametrize(
    "entry", ["AdministratorAccess", "administratoraccess", "ps-aaaaaaaaaaaaaaaa", ADMIN]
)
def test_permission_set_is_matched_by_name_ignoring_case_by_id_or_by_arn(
    tmp_path: Path, entry: str
) -> None:
    guardrails = load(tmp_path, f'[[deny_grant]]\nname = "no-admin"\npermission_sets = ["{entry}"]')
    assert refused_by(guardrails, grant(permission_set=ADMIN)) == "no-admin"
    assert refused_by(guardrails, grant(permission_set=READ_ONLY)) == ""


def test_permission_set_ids_and_arns_are_matched_exactly(tmp_path: Path) -> None:
    guardrails = load(
        tmp_path,
        '[[deny_grant]]\nname = "no-admin"\n'
        f'permission_sets = ["PS-AAAAAAAAAAAAAAAA", "{INSTANCE}/PS-AAAAAAAAAAAAAAAA"]',
    )
    assert refused_by(guardrails, grant(permission_set=ADMIN)) == ""


@pytest.mark.parametrize("entry", [PROD, "prod-payments", "PROD-Payments"])
def test_account_is_matched_by_id_or_by_name_ignoring_case(tmp_path: Path, entry: str) -> None:
    guardrails = load(tmp_path, f'[[deny_grant]]\nname = "no-prod"\naccounts = ["{entry}"]')
    assert refused_by(guardrails, grant(account=PROD)) == "no-prod"
    assert refused_by(guardrails, grant(account=DEV)) == ""


def test_principal_types_limit_a_rule_to_users_or_groups(tmp_path: Path) -> None:
    guardrails = load(tmp_path, '[[deny_grant]]\nname = "no-groups"\nprincipal_types = ["GROUP"]')
    assert refused_by(guardrails, grant(principal_type="GROUP")) == "no-groups"
    assert refused_by(guardrails, grant(principal_type="USER")) == ""


@pytest.mark.parametrize("ou", ["ou-ab12-prod0001", "ou-ab12-workload", "r-ab12"])
def test_organizational_unit_matches_every_account_beneath_it(tmp_path: Path, ou: str) -> None:
    guardrails = load(tmp_path, f'[[deny_grant]]\nname = "no-ou"\norganizational_units = ["{ou}"]')
    assert refused_by(guardrails, grant(account=PROD)) == "no-ou"


def test_organizational_unit_does_not_match_accounts_elsewhere(tmp_path: Path) -> None:
    guardrails = load(
        tmp_path, '[[deny_grant]]\nname = "no-prod-ou"\norganizational_units = ["ou-ab12-prod0001"]'
    )
    assert refused_by(guardrails, grant(account=DEV), grant(account=MANAGEMENT)) == ""


def test_parents_are_looked_up_only_for_granted_accounts(tmp_path: Path) -> None:
    asked: list[str] = []

    def parents_of(account: str) -> Sequence[str]:
        asked.append(account)
        return PARENTS[account]

    guardrails = load(
        tmp_path, '[[deny_grant]]\nname = "no-prod-ou"\norganizational_units = ["ou-ab12-prod0001"]'
    )
    revoke = Revoke(
        account_id=MANAGEMENT, permission_set_arn=ADMIN, principal_type="USER", principal_id="u-1"
    )
    ctx = context(parents_of=parents_of)
    assert refused_by(guardrails, revoke, grant(account=DEV), ctx=ctx) == ""
    assert asked == [DEV]


def test_parents_are_not_looked_up_when_no_rule_names_organizational_units(
    tmp_path: Path,
) -> None:
    guardrails = load(
        tmp_path,
        f"""
        max_changes_per_request = 5
        [[deny_grant]]
        name = "no-admin-in-prod"
        permission_sets = ["AdministratorAccess"]
        accounts = ["{PROD}"]
        [[deny_grant]]
        name = "no-management"
        management_account = true
        """,
    )
    ctx = context(parents_of=never_asked)
    assert refused_by(guardrails, grant(account=DEV), grant(account=PROD), ctx=ctx) == (
        "no-admin-in-prod"
    )


def test_parents_are_not_looked_up_once_another_selector_rules_the_grant_out(
    tmp_path: Path,
) -> None:
    guardrails = load(
        tmp_path,
        '[[deny_grant]]\nname = "no-admin-ou"\npermission_sets = ["AdministratorAccess"]\n'
        'organizational_units = ["ou-ab12-prod0001"]',
    )
    ctx = context(parents_of=never_asked)
    assert refused_by(guardrails, grant(permission_set=READ_ONLY), ctx=ctx) == ""


# -- combining rules and intents ------------------------------------------------------


def test_a_rule_matches_only_when_every_selector_it_names_matches(tmp_path: Path) -> None:
    guardrails = load(
        tmp_path,
        f"""
        [[deny_grant]]
        name = "no-admin-groups-in-prod"
        permission_sets = ["AdministratorAccess"]
        accounts = ["{PROD}"]
        organizational_units = ["ou-ab12-workload"]
        principal_types = ["GROUP"]
        """,
    )
    assert refused_by(guardrails, grant()) == "no-admin-groups-in-prod"
    assert refused_by(guardrails, grant(permission_set=READ_ONLY)) == ""
    assert refused_by(guardrails, grant(account=DEV)) == ""
    assert refused_by(guardrails, grant(principal_type="USER")) == ""


def test_the_first_violation_in_request_order_is_reported(tmp_path: Path) -> None:
    guardrails = load(
        tmp_path,
        f"""
        [[deny_grant]]
        name = "no-dev"
        accounts = ["{DEV}"]
        [[deny_grant]]
        name = "no-admin"
        permission_sets = ["AdministratorAccess"]
        """,
    )
    allowed = grant(account=PROD, permission_set=READ_ONLY)
    assert refused_by(guardrails, allowed, grant(account=PROD), grant(account=DEV)) == "no-admin"
    assert refused_by(guardrails, allowed, grant(account=DEV)) == "no-dev"


def test_revokes_and_other_changes_are_never_forbidden(tmp_path: Path) -> None:
    guardrails = load(
        tmp_path, '[[deny_grant]]\nname = "no-grants"\nprincipal_types = ["USER", "GROUP"]'
    )
    others: list[Intent] = [
        Revoke(account_id=PROD, permission_set_arn=ADMIN, principal_type="GROUP", principal_id="g"),
        Revoke(
            account_id=MANAGEMENT, permission_set_arn=ADMIN, principal_type="USER", principal_id="u"
        ),
        AddMember(group_id="g", user_id="u"),
        RemoveMember(group_id="g", user_id="u"),
        CreateUser(params={"UserName": "ada"}),
        UpdateUser(user_id="u", operations=({"AttributePath": "title"},)),
        DeleteUser(user_id="u"),
        CreateGroup(params={"DisplayName": "admins"}),
        UpdateGroup(group_id="g"),
        DeleteGroup(group_id="g"),
    ]
    assert refused_by(guardrails, *others) == ""
    assert refused_by(guardrails, *others, grant()) == "no-grants"


def test_max_changes_per_request_counts_every_intent(tmp_path: Path) -> None:
    guardrails = load(tmp_path, "max_changes_per_request = 3")
    three: list[Intent] = [
        grant(),
        Revoke(account_id=DEV, permission_set_arn=ADMIN, principal_type="USER", principal_id="u"),
        AddMember(group_id="g", user_id="u"),
    ]
    assert guardrails.check(three, context()) is None
    assert guardrails.check([*three, RemoveMember(group_id="g", user_id="u")], context()) == (
        Violation(
            "max_changes_per_request",
            "The request makes 4 changes; at most 3 are allowed in one request.",
        )
    )


def test_a_request_that_only_removes_access_is_never_capped(tmp_path: Path) -> None:
    guardrails = load(tmp_path, "max_changes_per_request = 2")
    leaver: list[Intent] = [
        Revoke(account_id=DEV, permission_set_arn=ADMIN, principal_type="USER", principal_id="u"),
        Revoke(account_id=PROD, permission_set_arn=ADMIN, principal_type="USER", principal_id="u"),
        RemoveMember(group_id="g", user_id="u"),
        DeleteUser(user_id="u"),
    ]
    assert guardrails.check(leaver, context()) is None
    assert guardrails.check([*leaver, AddMember(group_id="g", user_id="u")], context()) is not None


# -- the management account -----------------------------------------------------------


def test_grants_into_the_management_account_can_be_forbidden(tmp_path: Path) -> None:
    guardrails = load(tmp_path, '[[deny_grant]]\nname = "no-mgmt"\nmanagement_account = true')
    assert refused_by(guardrails, grant(account=MANAGEMENT)) == "no-mgmt"
    assert refused_by(guardrails, grant(account=PROD)) == ""


def test_an_unknown_management_account_refuses_every_grant_it_could_be(tmp_path: Path) -> None:
    guardrails = load(tmp_path, '[[deny_grant]]\nname = "no-mgmt"\nmanagement_account = true')
    violation = guardrails.check([grant(account=PROD)], context(management=None))
    assert violation is not None
    assert violation.rule == "no-mgmt"
    assert "management account could not be determined" in violation.detail


def test_an_unknown_management_account_does_not_refuse_grants_another_selector_rules_out(
    tmp_path: Path,
) -> None:
    guardrails = load(
        tmp_path,
        '[[deny_grant]]\nname = "no-mgmt-groups"\nmanagement_account = true\n'
        'principal_types = ["GROUP"]',
    )
    ctx = context(management=None)
    assert refused_by(guardrails, grant(principal_type="USER"), ctx=ctx) == ""
    assert refused_by(guardrails, grant(principal_type="GROUP"), ctx=ctx) == "no-mgmt-groups"


def test_an_unknown_name_refuses_a_grant_a_rule_names_by_name(tmp_path: Path) -> None:
    guardrails = load(
        tmp_path, '[[deny_grant]]\nname = "no-admin"\npermission_sets = ["AdministratorAccess"]'
    )
    violation = guardrails.check([grant()], context(permission_set_names={}))
    assert violation is not None
    assert violation.rule == "no-admin"
    assert f"the name of permission set {ADMIN} is unknown" in violation.detail


def test_the_detail_names_the_grant_in_the_admins_words(tmp_path: Path) -> None:
    guardrails = load(tmp_path, f'[[deny_grant]]\nname = "no-prod"\naccounts = ["{PROD}"]')
    assert guardrails.check([grant(principal="g-9")], context()) == Violation(
        "no-prod",
        "Granting permission set AdministratorAccess to group g-9 "
        "in account prod-payments (111122223333) is forbidden.",
    )
    unnamed = context(account_names={}, permission_set_names={})
    violation = guardrails.check([grant(principal="g-9")], unnamed)
    assert violation is not None
    assert violation.detail == (
        f"Granting permission set {ADMIN} to group g-9 in account 111122223333 is forbidden."
    )


# -- applications ---------------------------------------------------------------------

PAYROLL = "arn:aws:sso::123456789012:application/ssoins-1234567890abcdef/apl-aaaaaaaaaaaaaaaa"
WIKI = "arn:aws:sso::123456789012:application/ssoins-1234567890abcdef/apl-bbbbbbbbbbbbbbbb"
CUSTOM_SAML = "arn:aws:sso::aws:applicationProvider/custom-saml"
CUSTOM_OAUTH = "arn:aws:sso::aws:applicationProvider/custom"


def with_applications(known: dict[str, tuple[str, str]] | None = None) -> GuardContext:
    applications = (
        {PAYROLL: ("Payroll", CUSTOM_SAML), WIKI: ("Wiki", CUSTOM_OAUTH)}
        if known is None
        else known
    )
    return GuardContext(
        management_account_id=MANAGEMENT,
        account_names={},
        permission_set_names={},
        parents_of=never_asked,
        applications=applications,
    )


def grant_application(
    application: str = PAYROLL, principal_type: PrincipalType = "USER"
) -> GrantApplication:
    return GrantApplication(application, principal_type, "u-1")


@pytest.mark.parametrize("entry", ["Payroll", "PAYROLL", "apl-aaaaaaaaaaaaaaaa", PAYROLL])
def test_application_is_matched_by_name_ignoring_case_by_id_or_by_arn(
    tmp_path: Path, entry: str
) -> None:
    guardrails = load(
        tmp_path, f'[[deny_application]]\nname = "no-payroll"\napplications = ["{entry}"]'
    )
    ctx = with_applications()
    assert refused_by(guardrails, grant_application(PAYROLL), ctx=ctx) == "no-payroll"
    assert refused_by(guardrails, grant_application(WIKI), ctx=ctx) == ""


def test_application_rules_match_by_provider_and_principal_type(tmp_path: Path) -> None:
    guardrails = load(
        tmp_path,
        f'[[deny_application]]\nname = "no-saml-to-groups"\nproviders = ["{CUSTOM_SAML}"]\n'
        'principal_types = ["GROUP"]',
    )
    ctx = with_applications()
    assert refused_by(guardrails, grant_application(PAYROLL, "GROUP"), ctx=ctx) == (
        "no-saml-to-groups"
    )
    assert refused_by(guardrails, grant_application(PAYROLL, "USER"), ctx=ctx) == ""
    assert refused_by(guardrails, grant_application(WIKI, "GROUP"), ctx=ctx) == ""


def test_an_application_of_unknown_provider_is_refused_by_a_provider_rule(tmp_path: Path) -> None:
    guardrails = load(
        tmp_path, f'[[deny_application]]\nname = "no-saml"\nproviders = ["{CUSTOM_SAML}"]'
    )
    violation = guardrails.check([grant_application(PAYROLL)], with_applications({}))
    assert violation is not None and violation.rule == "no-saml"
    assert "the provider of application" in violation.detail


def test_application_rules_never_forbid_account_grants_or_revokes(tmp_path: Path) -> None:
    guardrails = load(tmp_path, '[[deny_application]]\nname = "none"\nprincipal_types = ["USER"]')
    ctx = with_applications()
    assert refused_by(guardrails, grant(principal_type="USER"), ctx=ctx) == ""
    assert refused_by(guardrails, RevokeApplication(PAYROLL, "USER", "u-1"), ctx=ctx) == ""
    violation = guardrails.check([grant_application(PAYROLL)], ctx)
    assert violation == Violation("none", "Granting application Payroll to user u-1 is forbidden.")


# -- malformed files ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("deny = []", "unknown keys deny"),
        ('max_changes_per_request = "20"', "max_changes_per_request must be a whole number"),
        ("max_changes_per_request = 0", "max_changes_per_request must be a whole number"),
        ("max_changes_per_request = true", "max_changes_per_request must be a whole number"),
        ('deny_grant = "everything"', "deny_grant must be tables"),
        ('[deny_grant]\nname = "x"\naccounts = ["111122223333"]', "deny_grant must be tables"),
        ('[[deny_grant]]\naccounts = ["111122223333"]', "number 1: needs a name"),
        ('[[deny_grant]]\nname = ""\naccounts = ["111122223333"]', "number 1: needs a name"),
        (
            '[[deny_grant]]\nname = "a"\nmanagement_account = true\n'
            '[[deny_grant]]\nname = "a"\nprincipal_types = ["USER"]',
            "several rules are named a",
        ),
        ('[[deny_grant]]\nname = "empty"', '"empty": matches nothing'),
        (
            '[[deny_grant]]\nname = "x"\nmanagement_account = true\nou = ["r-ab12"]',
            '"x": unknown keys ou',
        ),
        ('[[deny_grant]]\nname = "x"\naccounts = []', '"x": accounts must be a non-empty list'),
        ('[[deny_grant]]\nname = "x"\naccounts = "prod"', '"x": accounts must be a non-empty list'),
        (
            '[[deny_grant]]\nname = "x"\npermission_sets = [42]',
            '"x": permission_sets must be a non-empty list',
        ),
        (
            '[[deny_grant]]\nname = "x"\norganizational_units = ["Production"]',
            "'Production' is not an OU id",
        ),
        (
            '[[deny_grant]]\nname = "x"\nprincipal_types = ["group"]',
            "'group' is not USER or GROUP",
        ),
        (
            '[[deny_grant]]\nname = "x"\nmanagement_account = false',
            "management_account can only be true",
        ),
        (
            '[[deny_grant]]\nname = "max_changes_per_request"\nmanagement_account = true',
            "reserved",
        ),
        ("[[deny_grant]\n", "cannot be read"),
        ('[[deny_application]]\nname = "x"', '"x": matches nothing'),
        ('[[deny_application]]\nname = "x"\naccounts = ["111122223333"]', "unknown keys accounts"),
        ('[[deny_application]]\nname = "x"\nproviders = ["custom-saml"]', "not an application"),
        (
            '[[deny_grant]]\nname = "a"\nmanagement_account = true\n'
            '[[deny_application]]\nname = "a"\nprincipal_types = ["USER"]',
            "several rules are named a",
        ),
    ],
)
def test_a_malformed_file_is_refused_naming_the_file_and_the_problem(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = write_policy(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        Guardrails.load(path)
    assert str(path) in str(caught.value)
    assert problem in str(caught.value)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        Guardrails.load(tmp_path / "absent.toml")


def test_every_problem_in_a_file_is_reported_together(tmp_path: Path) -> None:
    path = write_policy(
        tmp_path,
        'max_changes_per_request = -1\n[[deny_grant]]\nname = "x"\nprincipal_types = ["ROLE"]',
    )
    with pytest.raises(ConfigError) as caught:
        Guardrails.load(path)
    assert "max_changes_per_request must be" in str(caught.value)
    assert "'ROLE' is not USER or GROUP" in str(caught.value)
    assert caught.value.exit_code == 2
