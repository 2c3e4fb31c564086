"""The seed generator plans organisations of exact size that are realistic and self-consistent."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest

from connector.simulator.plan import OrganisationPlan
from connector.simulator.seed import (
    AWS_MANAGED_POLICY_ARNS,
    PRESETS,
    SeedSpec,
    plan_organisation,
)

# Few users, many named objects: group, permission set and account names run past their
# catalogues into regional and numbered variants.
WIDE = SeedSpec(users=30, groups=2_200, memberships=100, permission_sets=600, accounts=700,
                assignments=300)  # fmt: skip


@pytest.fixture(scope="module")
def tiny() -> OrganisationPlan:
    return plan_organisation(PRESETS["tiny"])


@pytest.fixture(scope="module")
def small() -> OrganisationPlan:
    return plan_organisation(PRESETS["S"])


@pytest.fixture(scope="module")
def medium() -> OrganisationPlan:
    return plan_organisation(PRESETS["M"])


@pytest.fixture(scope="module")
def wide() -> OrganisationPlan:
    return plan_organisation(WIDE)


@pytest.fixture(scope="module", params=["S", pytest.param("M", marks=pytest.mark.slow)])
def preset(request: pytest.FixtureRequest) -> tuple[SeedSpec, OrganisationPlan]:
    spec = PRESETS[request.param]
    return spec, plan_organisation(spec)


def counts(plan: OrganisationPlan) -> tuple[int, ...]:
    return tuple(len(getattr(plan, name)) for name in COUNTED)


def spec_counts(spec: SeedSpec) -> tuple[int, ...]:
    return tuple(getattr(spec, name) for name in COUNTED)


COUNTED = (
    "users",
    "groups",
    "memberships",
    "permission_sets",
    "accounts",
    "assignments",
    "applications",
    "application_assignments",
)


def scripts(text: str) -> set[str]:
    """The first word of each letter's Unicode name: LATIN, CJK, CYRILLIC, GREEK, ..."""
    return {unicodedata.name(c).split()[0] for c in text if c.isalpha()}


def pair_of(item: Any) -> tuple[str, str]:
    return item.permission_set_key, item.account_key


def test_tiny_preset_has_exactly_the_requested_counts(tiny: OrganisationPlan) -> None:
    assert counts(tiny) == spec_counts(PRESETS["tiny"])


def test_presets_have_exactly_the_requested_counts(
    preset: tuple[SeedSpec, OrganisationPlan],
) -> None:
    spec, plan = preset
    assert counts(plan) == spec_counts(spec)


def test_every_sized_preset_has_applications_growing_with_its_users() -> None:
    sized = sorted((PRESETS[name] for name in ("S", "M", "L", "XL")), key=lambda s: s.users)
    assert all(spec.applications > 0 for spec in sized)
    assert [s.applications for s in sized] == sorted(s.applications for s in sized)
    assert [s.application_assignments for s in sized] == sorted(
        s.application_assignments for s in sized
    )


def test_same_seed_gives_an_equal_plan(small: OrganisationPlan) -> None:
    assert plan_organisation(PRESETS["S"]) == small


def test_other_seed_gives_a_different_plan(tiny: OrganisationPlan) -> None:
    other = plan_organisation(replace(PRESETS["tiny"], seed=8))
    assert other != tiny
    assert [u.user_name for u in other.users] != [u.user_name for u in tiny.users]


def test_plan_does_not_depend_on_string_hashing(tiny: OrganisationPlan) -> None:
    """Python salts str hashes per process: iterating a set of names would break replay."""
    code = (
        "from connector.simulator.seed import PRESETS, plan_organisation;"
        "print(repr(plan_organisation(PRESETS['tiny'])))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONHASHSEED": hash_seed, "PYTHONIOENCODING": "utf-8"},
            capture_output=True,
            check=True,
            encoding="utf-8",
        ).stdout.strip()
        for hash_seed in ("1", "2")
    }
    assert outputs == {repr(tiny)}


def test_names_are_unique_ignoring_case(preset: tuple[SeedSpec, OrganisationPlan]) -> None:
    _, plan = preset
    for names in (
        [u.user_name for u in plan.users],
        [g.display_name for g in plan.groups],
        [ps.name for ps in plan.permission_sets],
        [a.name for a in plan.accounts],
        [a.email for a in plan.accounts],
    ):
        assert len({name.casefold() for name in names}) == len(names)


def test_names_stay_unique_and_valid_beyond_the_catalogues(wide: OrganisationPlan) -> None:
    assert counts(wide) == spec_counts(WIDE)
    assert len({g.display_name.casefold() for g in wide.groups}) == WIDE.groups
    assert len({a.name for a in wide.accounts}) == len({a.email for a in wide.accounts}) == 700
    assert len({ps.name.casefold() for ps in wide.permission_sets}) == WIDE.permission_sets
    for ps in wide.permission_sets:
        assert re.fullmatch(r"[\w+=,.@-]{1,32}", ps.name, flags=re.ASCII), ps.name


def test_user_names_have_no_spaces_and_fit_identity_store(small: OrganisationPlan) -> None:
    """Identity Store UserName: letters, marks, symbols, numbers, punctuation; 128 at most."""
    for user in small.users:
        assert re.fullmatch(r"\S{1,128}", user.user_name), user.user_name


def test_memberships_and_assignments_are_distinct(
    preset: tuple[SeedSpec, OrganisationPlan],
) -> None:
    _, plan = preset
    assert len(set(plan.memberships)) == len(plan.memberships)
    assert len(set(plan.assignments)) == len(plan.assignments)
    assert len(set(plan.provisioned_pairs)) == len(plan.provisioned_pairs)


def test_every_referenced_key_exists(preset: tuple[SeedSpec, OrganisationPlan]) -> None:
    _, plan = preset
    users = {u.key for u in plan.users}
    groups = {g.key for g in plan.groups}
    permission_sets = {ps.key for ps in plan.permission_sets}
    accounts = {a.key for a in plan.accounts}
    pairs = {pair_of(p) for p in plan.provisioned_pairs}
    assert all(m.group_key in groups and m.user_key in users for m in plan.memberships)
    assert all(ps in permission_sets and a in accounts for ps, a in pairs)
    for a in plan.assignments:
        assert a.principal_key in {"USER": users, "GROUP": groups}[a.principal_type]
        assert pair_of(a) in pairs


def test_keys_are_unique_across_the_plan(small: OrganisationPlan) -> None:
    keys = [u.key for u in small.users] + [g.key for g in small.groups]
    keys += [ps.key for ps in small.permission_sets] + [a.key for a in small.accounts]
    assert len(set(keys)) == len(keys)


def test_s_has_names_in_several_scripts(small: OrganisationPlan) -> None:
    seen = set().union(*(scripts(u.given_name + u.family_name) for u in small.users))
    assert {"LATIN", "CJK", "CYRILLIC", "GREEK"} <= seen
    assert any(not u.user_name.isascii() for u in small.users)
    assert any(not g.display_name.isascii() for g in small.groups)


def test_locale_and_timezone_follow_the_name(small: OrganisationPlan) -> None:
    japanese = [u for u in small.users if u.locale == "ja-JP"]
    assert japanese
    for user in japanese:
        assert "CJK" in scripts(user.family_name)
        assert user.timezone in (None, "Asia/Tokyo")
        assert user.display_name.startswith(user.family_name)  # family name first


def test_ascii_user_names_are_folded_from_the_name(small: OrganisationPlan) -> None:
    folded = [u for u in small.users if u.user_name.isascii() and not u.given_name.isascii()]
    assert folded
    assert all(re.fullmatch(r"[a-z0-9.-]+@example\.com", u.user_name) for u in folded)


def test_some_users_have_no_email_and_most_have_one(small: OrganisationPlan) -> None:
    email_counts = Counter(len(u.emails) for u in small.users)
    assert email_counts[0] > 0
    assert email_counts[1] > len(small.users) / 2


def test_no_user_has_more_than_one_email_phone_or_address(
    preset: tuple[SeedSpec, OrganisationPlan],
) -> None:
    """Identity Store CreateUser/UpdateUser: Emails, PhoneNumbers, Addresses take exactly 1 item."""
    _, plan = preset
    for user in plan.users:
        assert len(user.emails) <= 1, user.key
        assert len(user.phone_numbers) <= 1, user.key
        assert len(user.addresses) <= 1, user.key


def test_no_list_has_more_than_one_primary(small: OrganisationPlan) -> None:
    for user in small.users:
        for values in (user.emails, user.phone_numbers, user.addresses):
            assert sum(v.primary for v in values) <= 1, user.key


def test_optional_user_attributes_are_on_some_users_only(small: OrganisationPlan) -> None:
    for attribute in ("external_ids", "phone_numbers", "addresses", "honorific_prefix",
                      "middle_name", "nick_name", "title", "user_type", "timezone"):  # fmt: skip
        present = sum(bool(getattr(u, attribute)) for u in small.users)
        assert 0 < present < len(small.users), attribute


def test_external_ids_name_an_entra_tenant(small: OrganisationPlan) -> None:
    issuers = {e.issuer for u in small.users for e in u.external_ids}
    assert any(re.fullmatch(r"https://sts\.windows\.net/[0-9a-f-]{36}/", i) for i in issuers)
    assert any(g.external_ids for g in small.groups)


def test_s_has_empty_groups_and_suspended_accounts(small: OrganisationPlan) -> None:
    with_members = {m.group_key for m in small.memberships}
    assert any(g.key not in with_members for g in small.groups)
    assert any(a.status == "SUSPENDED" for a in small.accounts)
    assert {a.status for a in small.accounts} <= {"ACTIVE", "SUSPENDED"}


def test_empty_ous_hold_no_account(small: OrganisationPlan) -> None:
    assert small.empty_ous
    assert not {a.ou_path for a in small.accounts} & set(small.empty_ous)


def test_groups_in_s_and_m_fit_one_api_page(preset: tuple[SeedSpec, OrganisationPlan]) -> None:
    _, plan = preset
    sizes = Counter(m.group_key for m in plan.memberships)
    assert max(sizes.values()) <= 100
    assert max(sizes.values()) > 2 * len(plan.memberships) / len(plan.groups)  # skewed


def test_managed_policies_are_known_to_moto(small: OrganisationPlan) -> None:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    known = json.loads(aws_managed_policies_data)
    for name, arn in AWS_MANAGED_POLICY_ARNS.items():
        assert arn == f"arn:aws:iam::aws:policy{known[name]['Path']}{name}"
    used = {arn for ps in small.permission_sets for arn in ps.managed_policy_arns}
    assert used <= set(AWS_MANAGED_POLICY_ARNS.values())


def test_permission_sets_are_valid_for_sso_admin(wide: OrganisationPlan) -> None:
    for ps in wide.permission_sets:
        assert re.fullmatch(r"PT\d{1,2}H", ps.session_duration)
        if ps.description is not None:  # CreatePermissionSet allows Latin-1 only
            assert re.fullmatch(r"[\t\n\r\x20-\x7e\xa1-\xff]{1,700}", ps.description)
        if ps.inline_policy is not None:
            document = json.loads(ps.inline_policy)
            assert document["Version"] == "2012-10-17" and document["Statement"]
        if ps.permissions_boundary is not None:
            boundary = ps.permissions_boundary
            kinds = (boundary.managed_policy_arn, boundary.customer_managed_policy)
            assert sum(kind is not None for kind in kinds) == 1
    for attribute in ("relay_state", "customer_managed_policies", "inline_policy",
                      "permissions_boundary", "tags"):  # fmt: skip
        assert any(getattr(ps, attribute) for ps in wide.permission_sets), attribute


def test_assignments_are_mostly_to_groups_and_skewed(
    preset: tuple[SeedSpec, OrganisationPlan],
) -> None:
    _, plan = preset
    kinds = Counter(a.principal_type for a in plan.assignments)
    assert kinds["GROUP"] > kinds["USER"] > 0
    accounts_per_ps = Counter(p.permission_set_key for p in plan.provisioned_pairs)
    read_only = next(ps.key for ps in plan.permission_sets if ps.name == "ReadOnly")
    assert accounts_per_ps[read_only] == len(plan.accounts)
    assert min(accounts_per_ps.values()) < len(plan.accounts) / 2


def test_without_stale_pairs_the_pairs_are_exactly_the_assigned_ones(
    small: OrganisationPlan,
) -> None:
    assert {pair_of(p) for p in small.provisioned_pairs} == {pair_of(a) for a in small.assignments}


@pytest.mark.slow
def test_dense_variant_provisions_every_pair() -> None:
    plan = plan_organisation(PRESETS["M-dense"])
    expected = len(plan.permission_sets) * len(plan.accounts)
    assert len({pair_of(p) for p in plan.provisioned_pairs}) == len(plan.provisioned_pairs)
    assert len(plan.provisioned_pairs) == expected


@pytest.mark.slow
def test_stale_variant_has_pairs_without_assignments(medium: OrganisationPlan) -> None:
    plan = plan_organisation(PRESETS["M-stale"])
    assigned = {pair_of(a) for a in plan.assignments}
    stale = [p for p in plan.provisioned_pairs if pair_of(p) not in assigned]
    assert len(stale) == PRESETS["M-stale"].stale_pairs
    assert plan.assignments == medium.assignments  # stale pairs come on top


def test_a_saturated_spec_uses_every_possible_membership_and_assignment() -> None:
    spec = SeedSpec(users=3, groups=2, memberships=6, permission_sets=2, accounts=3,
                    assignments=2 * 3 * 5)  # fmt: skip
    plan = plan_organisation(spec)
    assert counts(plan) == spec_counts(spec)
    assert len(plan.provisioned_pairs) == 6


def test_stale_pairs_can_fill_every_unassigned_pair() -> None:
    plan = plan_organisation(SeedSpec(5, 2, 4, 3, 4, 5, assigned_pairs=5, stale_pairs=7))
    assert len(set(plan.provisioned_pairs)) == 12


def test_an_empty_spec_gives_an_empty_plan() -> None:
    plan = plan_organisation(SeedSpec(0, 0, 0, 0, 0, 0))
    assert counts(plan) == (0,) * len(COUNTED)
    assert plan.provisioned_pairs == ()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"users": -1}, "must not be negative"),
        ({"memberships": 12 * 4 + 1}, "memberships do not fit"),
        ({"max_group_size": 2}, "memberships do not fit"),
        ({"assignments": 4 * 4 * 16 + 1}, "distinct assignments"),
        ({"stale_pairs": 16}, "stale pairs are more than"),
        ({"stale_pairs": -1}, "stale_pairs must be between"),
        ({"dense": True, "stale_pairs": 1}, "dense"),
        ({"assigned_pairs": 11}, "cannot spread"),
        ({"assigned_pairs": 0}, "cannot spread"),
        ({"unicode_user_name_ratio": 1.5}, "between 0 and 1"),
        ({"group_assignment_ratio": -0.1}, "between 0 and 1"),
    ],
)
def test_unsatisfiable_specs_raise_value_error(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        replace(PRESETS["tiny"], **changes)
