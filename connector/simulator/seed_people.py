"""The seed's people: users with names in their locale's script, and their contact details.

Names come from Faker in ten locales, so that userNames, display names and email addresses
hold Cyrillic, Greek, Japanese and accented Latin as real directories do. Faker is asked once
per locale for a pool of values (`_pool`), not once per user, which is too slow for XL. The
module also folds names to ASCII (`ascii_fold`, reused for account and permission-set names)
and draws the external ids an IdP gives users and groups (`external_ids`).

A user has at most one email, one phone number and one address, some none: the Identity Store
API takes exactly one item in each list (CreateUser and UpdateUser, `Emails`, `PhoneNumbers`,
`Addresses`: "Array Members: Fixed number of 1 item"), and the simulator enforces it.
"""

from __future__ import annotations

import itertools
import random
import re
import unicodedata
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from faker import Faker

from connector.simulator.plan import (
    PlannedAddress,
    PlannedEmail,
    PlannedExternalId,
    PlannedPhoneNumber,
    PlannedUser,
)


def plan_users(
    keys: Sequence[str],
    rng: random.Random,
    *,
    seed: int,
    unicode_user_name_ratio: float,
) -> tuple[PlannedUser, ...]:
    """One user a key; `seed` seeds the Faker pools, `rng` draws everything else."""
    size = min(300, max(20, len(keys) // 20))
    pools = {loc.faker: _pool(loc, size, seed * 100 + i) for i, loc in enumerate(_LOCALES)}
    tenant, user_names = random_uuid(rng), _Unique()
    locales = rng.choices(_LOCALES, cum_weights=_LOCALE_CUM_WEIGHTS, k=len(keys))
    return tuple(
        _plan_user(key, loc, pools[loc.faker], rng, user_names, tenant, unicode_user_name_ratio)
        for key, loc in zip(keys, locales, strict=True)
    )


def maybe(rng: random.Random, chance: float, choices: Sequence[str]) -> str | None:
    """One of `choices` with probability `chance`, else None: an optional attribute."""
    return rng.choice(choices) if choices and rng.random() < chance else None


def random_uuid(rng: random.Random) -> str:
    """A version 4 UUID drawn from `rng`, so that the plan replays (`uuid.uuid4` does not)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def ascii_fold(text: str) -> str:
    """`Jürgen Groß` -> `jurgen-gross`, `Всеволод` -> `vsevolod`: for an email local part."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = bare.replace("\u03bf\u03c5", "ou").translate(_TRANSLIT)  # Greek omicron-upsilon
    return "-".join(re.findall(r"[a-z0-9]+", bare))


def external_ids(tenant: str, chance: float, rng: random.Random) -> tuple[PlannedExternalId, ...]:
    """Entra ID object ids, as an IGA platform fed from Entra would send them."""
    if rng.random() >= chance:
        return ()
    entra = PlannedExternalId(f"https://sts.windows.net/{tenant}/", random_uuid(rng))
    if rng.random() < 0.1:  # mid-migration: the Okta id too
        okta_id = "00u" + "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=17))
        return (entra, PlannedExternalId("https://example.okta.com", okta_id))
    return (entra,)


# --- locales and name pools -------------------------------------------------------------------


@dataclass(frozen=True)
class _Locale:
    """A Faker locale with its SCIM locale tag (RFC 7643 §4.1.1) and time zones."""

    faker: str
    weight: int
    tag: str
    timezones: tuple[str, ...]
    family_first: bool = False


_LOCALES = (
    _Locale("en_US", 30, "en-US", ("America/New_York", "America/Chicago", "America/Los_Angeles")),
    _Locale("de_DE", 12, "de-DE", ("Europe/Berlin",)),
    _Locale("fr_FR", 10, "fr-FR", ("Europe/Paris",)),
    _Locale("pt_BR", 10, "pt-BR", ("America/Sao_Paulo", "America/Manaus")),
    _Locale("ja_JP", 10, "ja-JP", ("Asia/Tokyo",), family_first=True),
    _Locale("ru_RU", 8, "ru-RU", ("Europe/Moscow", "Asia/Yekaterinburg")),
    _Locale("el_GR", 5, "el-GR", ("Europe/Athens",)),
    _Locale("pl_PL", 5, "pl-PL", ("Europe/Warsaw",)),
    _Locale("es_ES", 5, "es-ES", ("Europe/Madrid",)),
    _Locale("en_GB", 5, "en-GB", ("Europe/London",)),
)
_LOCALE_CUM_WEIGHTS = list(itertools.accumulate(locale.weight for locale in _LOCALES))
_IT_TITLES = ("Software Engineer", "Site Reliability Engineer", "Security Analyst",
              "Data Scientist", "Product Manager", "Engineering Manager")  # fmt: skip
_NICKS = ("Sam", "Alex", "Max", "Chris", "Kim", "Jo", "Nico", "Toni", "Sasha", "Kai")
_USER_TYPES = ("Employee", "Contractor", "Intern", "Vendor", None)
_USER_TYPE_CUM_WEIGHTS = (80, 90, 93, 96, 100)
_CYRILLIC = "a b v g d e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya"
_GREEK = "a v g d e z i th i k l m n x o p r s s t y f ch ps o"
# Cyrillic and Greek to Latin once accents are stripped, and letters NFKD leaves as they are.
_TRANSLIT = str.maketrans({
    **dict(zip("абвгдежзийклмнопрстуфхцчшщъыьэюя", _CYRILLIC.replace("-", "").split(" "),
               strict=True)),
    **dict(zip("αβγδεζηθικλμνξοπρσςτυφχψω", _GREEK.split(" "), strict=True)),
    "ß": "ss", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "'": "", "\u2019": "",
})  # fmt: skip

_Name = tuple[str, str]  # as written in the locale's script, and in ASCII for an email address


@dataclass(frozen=True)
class _Pool:
    """Values drawn from Faker once per locale: a Faker call per user is too slow for XL.

    Name tuples are indexed by gender (0 female, 1 male): Russian and Greek family names
    agree with it.
    """

    given: tuple[tuple[_Name, ...], tuple[_Name, ...]]
    family: tuple[tuple[_Name, ...], tuple[_Name, ...]]
    middle: tuple[tuple[str, ...], tuple[str, ...]]
    prefixes: tuple[tuple[str, ...], tuple[str, ...]]
    suffixes: tuple[str, ...]
    titles: tuple[str, ...]
    phones: tuple[str, ...]
    addresses: tuple[PlannedAddress, ...]


def _pool(locale: _Locale, size: int, seed: int) -> _Pool:
    fake = Faker(locale.faker)
    fake.seed_instance(seed)
    names = [[_person_name(fake, locale, male) for _ in range(size)] for male in (False, True)]
    few = range(max(4, size // 10))
    return _Pool(
        given=(tuple(n[0] for n in names[0]), tuple(n[0] for n in names[1])),
        family=(tuple(n[1] for n in names[0]), tuple(n[1] for n in names[1])),
        middle=(
            _distinct(_middle_name(fake, locale, False) for _ in few),
            _distinct(_middle_name(fake, locale, True) for _ in few),
        ),
        prefixes=(
            _distinct(fake.prefix_female() for _ in range(8)),
            _distinct(fake.prefix_male() for _ in range(8)),
        ),
        suffixes=_distinct(fake.suffix() for _ in range(8)),
        titles=_distinct(fake.job() for _ in few) + _IT_TITLES,
        phones=tuple(str(fake.phone_number()) for _ in few),
        addresses=tuple(_address(fake) for _ in few),
    )


def _person_name(fake: Faker, locale: _Locale, male: bool) -> tuple[_Name, _Name]:
    if locale.faker == "ja_JP":  # Faker knows how Japanese names read in Latin letters
        given = fake.first_name_male_pair() if male else fake.first_name_female_pair()
        family = fake.last_name_pair()
        return (str(given[0]), ascii_fold(given[2])), (str(family[0]), ascii_fold(family[2]))
    given_name = str(fake.first_name_male() if male else fake.first_name_female())
    family_name = str(fake.last_name_male() if male else fake.last_name_female())
    return (given_name, ascii_fold(given_name)), (family_name, ascii_fold(family_name))


def _middle_name(fake: Faker, locale: _Locale, male: bool) -> str | None:
    if locale.faker == "ja_JP":
        return None
    if locale.faker == "ru_RU":  # the patronymic
        return str(fake.middle_name_male() if male else fake.middle_name_female())
    return str(fake.first_name_male() if male else fake.first_name_female())


def _address(fake: Faker) -> PlannedAddress:
    street, city, code = str(fake.street_address()), str(fake.city()), str(fake.postcode())
    country = str(fake.current_country_code())
    return PlannedAddress(
        street_address=street,
        locality=city,
        region=str(fake.administrative_unit()),
        postal_code=code,
        country=country,
        formatted=f"{street}\n{code} {city}\n{country}",
        primary=True,
    )


def _distinct(values: Iterator[object]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(text for text in map(str, values) if text))


# --- users ------------------------------------------------------------------------------------


class _Unique:
    """Hands out names not yet taken, ignoring case, by appending 2, 3, ... to the stem.

    Why: userNames must be unique, and a store or client that compares them without case
    would see `Jun.Kimura` and `jun.kimura` as one.
    """

    def __init__(self) -> None:
        self._taken: set[str] = set()
        self._next: dict[str, int] = {}

    def claim(self, stem: str, suffix: str = "") -> str:
        name = stem + suffix
        while name.casefold() in self._taken:
            number = self._next.get(stem, 2)
            self._next[stem] = number + 1
            name = f"{stem}{number}{suffix}"
        self._taken.add(name.casefold())
        return name


def _plan_user(
    key: str, locale: _Locale, pool: _Pool, rng: random.Random, user_names: _Unique,
    tenant: str, unicode_user_name_ratio: float,
) -> PlannedUser:  # fmt: skip
    gender = int(rng.random() < 0.5)
    given, given_ascii = rng.choice(pool.given[gender])
    family, family_ascii = rng.choice(pool.family[gender])
    email = user_names.claim(f"{given_ascii}.{family_ascii}".strip(".") or key, "@example.com")
    user_name = email
    if not (given + family).isascii() and rng.random() < unicode_user_name_ratio:
        user_name = user_names.claim("".join(f"{given}.{family}".lower().split()), "@example.com")
    display = f"{family} {given}" if locale.family_first else f"{given} {family}"
    if not locale.family_first and rng.random() < 0.04:
        display = f"{family}, {given}"  # as some directories export it
    local = email.split("@")[0]
    romanised = "" if given.isascii() else given_ascii.split("-")[0].title()  # "Jun" for 淳
    return PlannedUser(
        key=key,
        user_name=user_name,
        display_name=display,
        given_name=given,
        family_name=family,
        middle_name=maybe(rng, 0.5 if locale.faker == "ru_RU" else 0.05, pool.middle[gender]),
        honorific_prefix=maybe(rng, 0.05, pool.prefixes[gender]),
        honorific_suffix=maybe(rng, 0.02, pool.suffixes),
        nick_name=maybe(rng, 0.1, (romanised,)) if romanised else maybe(rng, 0.03, _NICKS),
        profile_url=f"https://intranet.example.com/people/{local}" if rng.random() < 0.1 else None,
        title=maybe(rng, 0.85, pool.titles),
        user_type=rng.choices(_USER_TYPES, cum_weights=_USER_TYPE_CUM_WEIGHTS)[0],
        locale=maybe(rng, 0.8, (locale.tag,)),
        timezone=maybe(rng, 0.7, locale.timezones),
        preferred_language=_preferred_language(locale, rng),
        emails=_emails(email, rng),
        phone_numbers=_phones(pool, rng),
        addresses=(rng.choice(pool.addresses),) if rng.random() < 0.15 else (),
        external_ids=external_ids(tenant, 0.15, rng),
    )


def _preferred_language(locale: _Locale, rng: random.Random) -> str | None:
    """An Accept-Language value (RFC 7643 §4.1.1), a few with a fallback to English."""
    roll = rng.random()
    if roll < 0.1 and not locale.tag.startswith("en"):
        return f"{locale.tag}, en;q=0.8"
    return locale.tag if roll < 0.6 else None


def _emails(email: str, rng: random.Random) -> tuple[PlannedEmail, ...]:
    if rng.random() < 0.05:  # service accounts and some contractors
        return ()
    return (PlannedEmail(email, "work", rng.random() < 0.9),)  # some clients leave primary out


def _phones(pool: _Pool, rng: random.Random) -> tuple[PlannedPhoneNumber, ...]:
    if rng.random() < 0.3:
        return (PlannedPhoneNumber(rng.choice(pool.phones), rng.choice(("work", "mobile")), True),)
    return ()
