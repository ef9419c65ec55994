"""The evidence a candidate match rests on: each attribute of a newcomer against a known person.

Names compare folded: case, accents (anyascii: "René" = "Rene"), hyphens, spaces and apostrophes
("Lena Marie" = "Lena-Marie", "N'DIAYE" = "NDIAYE"), usage against birth name either way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from anyascii import anyascii

from bascule.plan.desired import AAF_SCHEME, INE_SCHEMES, DesiredPerson
from bascule.plan.model import Agreement, Attribute, AttributeEvidence, KnownPerson, PersonKind

_COMPARED = {"eleve_id": Attribute.ELEVE_ID, "elenoet": Attribute.ELENOET,
             "sts_local": Attribute.STS_LOCAL, "personne_id": Attribute.PERSONNE_ID,
             AAF_SCHEME: Attribute.AAF}
_EPP_SCHEMES = ("sts_epp", "csv")  # national or the school's own stable ids
STRONG_IDS = (Attribute.INE, Attribute.ELEVE_ID, Attribute.ELENOET, Attribute.STS_EPP,
               Attribute.PERSONNE_ID, Attribute.AAF)


# anyascii gives ASCII, whose letters and digits are these once lowercased (casefold is lower
# there): one regular expression instead of a test per character.
_NOT_ALNUM = re.compile("[^0-9a-z]+")


@lru_cache(maxsize=65536)
def fold_name(name: str) -> str:
    """"Lena-Marie" -> "lenamarie", "René" -> "rene", "N'Diaye" -> "ndiaye"."""
    return _NOT_ALNUM.sub("", (name if name.isascii() else anyascii(name)).lower())


# An élève as the folder's other schools are searched for when the export gives no INE: a folded
# last name (usage or birth), the folded first name, the birth date.
NameKey = tuple[str, str, date]


def namesake_keys(last_name: str, birth_name: str | None, first_name: str,
                  birth_date: date | None) -> frozenset[NameKey]:
    """The keys two élèves share when their names are alike (`Evidence.names_alike`: a last name
    of one, usage or birth, folds as one of the other's, and the first names fold alike) and
    their birth dates are the same; none without a birth date."""
    if birth_date is None:
        return frozenset()
    first = fold_name(first_name)
    return frozenset((fold_name(last), first, birth_date)
                     for last in {last_name, birth_name or last_name})


class Evidence:
    """The agreement of each attribute; an attribute not compared is UNKNOWN."""

    __slots__ = ("_by_attribute", "items", "staff")

    def __init__(self, items: Iterable[AttributeEvidence], *, staff: bool = False):
        self.items = tuple(items)
        self.staff = staff  # STS-local staff often have no birth date to compare
        # Keyed by the member's name: the identity table reads it a dozen times per candidate,
        # and an Enum member's own hash is computed in Python at every lookup.
        self._by_attribute = {item.attribute._name_: item.agreement for item in self.items}

    def __getitem__(self, attribute: Attribute) -> Agreement:
        return self._by_attribute.get(attribute._name_, Agreement.UNKNOWN)

    def names_alike(self) -> bool:
        return self[Attribute.NAMES] in (Agreement.SAME, Agreement.FOLDED)

    def shares_id(self) -> bool:
        """An id of a person both carry (an STS local id, given again each year, is none)."""
        return any(self[attribute] is Agreement.SAME for attribute in STRONG_IDS)

    def person_differs(self) -> bool:
        """Birth date and names both differ: whatever id they share, not the same person."""
        return (self[Attribute.BIRTH_DATE] is Agreement.DIFFERENT
                and self[Attribute.NAMES] is Agreement.DIFFERENT)


def gather_evidence(newcomer: DesiredPerson, known: KnownPerson,
                    known_services: frozenset[str] = frozenset(),
                    children: tuple[frozenset[str], frozenset[str]] = (frozenset(),
                                                                       frozenset())) -> Evidence:
    """`children` (responsables): the keys of the newcomer's children matched so far, and the
    known person's children in the directory."""
    items = [_ids(Attribute.INE, _values(newcomer, INE_SCHEMES), _values(known, INE_SCHEMES)),
             _ids(Attribute.STS_EPP, _values(newcomer, _EPP_SCHEMES),
                  _values(known, _EPP_SCHEMES))]
    here = known.school is None
    for scheme, attribute in _COMPARED.items():
        if here or scheme not in ("eleve_id", "elenoet"):  # numbered per school
            items.append(_ids(attribute, _values(newcomer, (scheme,)), _values(known, (scheme,))))
    if newcomer.foreign_elenoet:
        items.append(AttributeEvidence(
            attribute=Attribute.ELENOET, agreement=Agreement.UNKNOWN,
            newcomer=f"{newcomer.foreign_elenoet} (numérotation d'un autre établissement)",
            known=", ".join(sorted(_values(known, ("elenoet",))))))
    names = _names(newcomer, known)
    items += [_school(known), _local_to_epp(newcomer, known),
              _birth(newcomer.identity.birth_date, known.identity.birth_date), names]
    if names.agreement is Agreement.DIFFERENT:
        items += _name_parts(newcomer, known)
    if newcomer.services or known_services:
        items += [_sets(Attribute.SERVICES, newcomer.services, known_services),
                  _sets(Attribute.STRUCTURES, _structures(newcomer.services),
                        _structures(known_services))]
    if newcomer.children and children[1]:
        items.append(_children(newcomer, *children))
    return Evidence((item for item in items if item is not None),
                    staff=newcomer.kind is PersonKind.STAFF)


def _values(person: DesiredPerson | KnownPerson, schemes: Iterable[str]) -> set[str]:
    return {source.value for source in person.source_ids if source.scheme in schemes}


def _ids(attribute: Attribute, newcomer: set[str], known: set[str]) -> AttributeEvidence | None:
    if not newcomer and not known:
        return None
    if not newcomer or not known:
        agreement = Agreement.UNKNOWN
    else:
        agreement = Agreement.SAME if newcomer & known else Agreement.DIFFERENT
    return AttributeEvidence(attribute=attribute, agreement=agreement,
                             newcomer=", ".join(sorted(newcomer)), known=", ".join(sorted(known)))


def _sets(attribute: Attribute, newcomer: frozenset[str],
          known: frozenset[str]) -> AttributeEvidence:
    agreement = (Agreement.UNKNOWN if not newcomer or not known
                 else Agreement.SAME if newcomer & known else Agreement.DIFFERENT)
    return AttributeEvidence(attribute=attribute, agreement=agreement,
                             newcomer=", ".join(sorted(newcomer)), known=", ".join(sorted(known)))


def _structures(services: frozenset[str]) -> frozenset[str]:
    """"D:6A/MATHS" -> "D:6A": where a teacher teaches, whatever the subject."""
    return frozenset(service.rpartition("/")[0] for service in services)


def _children(newcomer: DesiredPerson, matched: frozenset[str],
              known: frozenset[str]) -> AttributeEvidence:
    """SAME: a child in common; DIFFERENT: none of the newcomer's children (matched or new) is
    one of the known person's."""
    return AttributeEvidence(attribute=Attribute.CHILD,
                             agreement=Agreement.SAME if matched & known else Agreement.DIFFERENT,
                             newcomer=", ".join(sorted(newcomer.children)),
                             known=", ".join(sorted(known)))


def _school(known: KnownPerson) -> AttributeEvidence | None:
    if known.school is None:
        return None
    return AttributeEvidence(attribute=Attribute.SCHOOL, agreement=Agreement.DIFFERENT,
                             newcomer="", known=known.school)


def _local_to_epp(newcomer: DesiredPerson, known: KnownPerson) -> AttributeEvidence | None:
    """A contract teacher who becomes titular: STS gives an epp id where it gave a local one."""
    epp = _values(newcomer, ("sts_epp",))
    local = _values(known, ("sts_local",))
    if not epp or not local or _values(known, ("sts_epp",)):
        return None
    return AttributeEvidence(attribute=Attribute.LOCAL_TO_EPP, agreement=Agreement.SAME,
                             newcomer=f"epp {', '.join(sorted(epp))}",
                             known=f"local {', '.join(sorted(local))}")


def _birth(newcomer: date | None, known: date | None) -> AttributeEvidence:
    agreement = (Agreement.UNKNOWN if newcomer is None or known is None
                 else Agreement.SAME if newcomer == known else Agreement.DIFFERENT)
    return AttributeEvidence(attribute=Attribute.BIRTH_DATE, agreement=agreement,
                             newcomer=_date(newcomer), known=_date(known))


@lru_cache(maxsize=1 << 12)  # birth dates repeat, and strftime is slow in a loop
def _date(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _names(newcomer: DesiredPerson, known: KnownPerson) -> AttributeEvidence:
    mine, theirs = newcomer.identity, known.identity
    lasts = [(a, b) for a in _last_names(mine.last_name, mine.birth_name)
             for b in _last_names(theirs.last_name, theirs.birth_name)]
    if (mine.first_name.casefold() == theirs.first_name.casefold()
            and any(a.casefold() == b.casefold() for a, b in lasts)):
        agreement = Agreement.SAME
    elif (fold_name(mine.first_name) == fold_name(theirs.first_name)
            and any(fold_name(a) == fold_name(b) for a, b in lasts)):
        agreement = Agreement.FOLDED
    else:
        agreement = Agreement.DIFFERENT
    return AttributeEvidence(attribute=Attribute.NAMES, agreement=agreement,
                             newcomer=f"{mine.last_name} {mine.first_name}",
                             known=f"{theirs.last_name} {theirs.first_name}")


def _name_parts(newcomer: DesiredPerson, known: KnownPerson) -> list[AttributeEvidence]:
    """The last name and the first name apart (folded), when the names differ: a married
    name is a changed last name, a wholly other person under the same id is both changed."""
    mine, theirs = newcomer.identity, known.identity
    lasts = [(a, b) for a in _last_names(mine.last_name, mine.birth_name)
             for b in _last_names(theirs.last_name, theirs.birth_name)]
    return [AttributeEvidence(attribute=Attribute.LAST_NAME, agreement=_alike(lasts),
                              newcomer=mine.last_name, known=theirs.last_name),
            AttributeEvidence(attribute=Attribute.FIRST_NAME,
                              agreement=_alike([(mine.first_name, theirs.first_name)]),
                              newcomer=mine.first_name, known=theirs.first_name)]


def _alike(pairs: list[tuple[str, str]]) -> Agreement:
    """SAME when a pair is written alike (but for case), FOLDED when it folds alike: the review
    page says « identique » for HÉBERT / HÉBERT, « proche » for Rene / René."""
    if any(a.casefold() == b.casefold() for a, b in pairs):
        return Agreement.SAME
    if any(fold_name(a) == fold_name(b) for a, b in pairs):
        return Agreement.FOLDED
    return Agreement.DIFFERENT


def _last_names(usage: str, birth: str | None) -> tuple[str, ...]:
    """A usage name and a birth name both name the person: either may match."""
    return (usage, birth) if birth and birth != usage else (usage,)
