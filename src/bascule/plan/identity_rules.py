"""The identity table: who in the directory a person of the export is. One row per rule.

The rows are read top to bottom; the first whose condition holds decides for one candidate
(a known person sharing an id, or a name and birth date, with the newcomer). Each row has a test
in tests/plan/test_identity_rules.py, and the README shows the table with its examples.

Principles: an id counts only when the person agrees (an id shared by someone whose birth date
and names both differ is a conflict); two INEs that differ are two people, unless the same
Siècle record (ELEVE_ID, ELENOET or jointure AAF) with the same names or birth date says it
may be an INE corrected or mistyped: a doubt; with neither the names nor the birth date in
common, every attribute but a number says two people. One INE with another first name, or
on another ELEVE_ID with the names or the birth date not the same, is a doubt (siblings, twins,
an INE typed on the wrong record); so is one ELEVE_ID, STS epp id, line of the local list or
jointure AAF with another first name (a record reused or mis-keyed, a sibling: accents and case
are the same first name); so are staff records of one source whose ids differ, with
only a name in common. Doubt holds, it never acts (PROBABLE and CONFLICT put the person in the
review queue, their accounts untouched). An élève of another school of the folder is a
candidate by the same INE (a transfer), or, for an élève the export gives no INE, by the same
names and birth date: a doubt, asked, never a second account in silence.

Two people of the export claiming one account (plan/matching.py): the claim whose every id
agrees (none DIFFERENT) wins when it is the only one; otherwise every claimant is held and the
account left as it is. A stronger row never outranks a consistent claim: « même INE » with
another ELEVE_ID loses to « même ELEVE_ID » with no INE to compare, and two consistent claims
(or none) are a doubt for a person to settle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bascule.plan.evidence import Evidence
from bascule.plan.model import Agreement, Attribute, Decision

SAME, FOLDED, DIFFERENT = Agreement.SAME, Agreement.FOLDED, Agreement.DIFFERENT
CERTAIN, PROBABLE, NONE, CONFLICT = (Decision.CERTAIN, Decision.PROBABLE, Decision.NONE,
                                     Decision.CONFLICT)
A = Attribute


@dataclass(frozen=True, slots=True)
class Rule:
    name: str  # in French: shown with every review case
    holds: Callable[[Evidence], bool]
    decision: Decision
    example: str
    by_id: bool = False  # rests on a shared id: outranks any row resting on names


# An élève of the export without an INE and an élève of another school of the folder with the
# same names (folded) and birth date: found by plan/matching.py's namesake lookup, never taken
# without a person's decision (a homonym born the same day is rare, not impossible). The rows
# above took an INE in common or two that differ: here neither has one to compare.
NAMESAKE_ELSEWHERE = ("sans INE à comparer, même nom et même date de naissance qu'un élève "
                      "d'un autre collège du dossier")


def _by_id(name: str, holds: Callable[[Evidence], bool], decision: Decision,
           example: str) -> Rule:
    return Rule(name, holds, decision, example, by_id=True)


def _same(e: Evidence, attribute: Attribute) -> bool:
    return e[attribute] is SAME


def _ine_corrected(e: Evidence) -> bool:
    """Two INEs that differ on one Siècle record (the same ELEVE_ID, ELENOET or jointure AAF):
    the INE was corrected, or mistyped. Not when birth date and names differ too: then all but
    a number say two people (a number given again: identity-elenoet-carried)."""
    return (e[A.INE] is DIFFERENT and not e.person_differs()
            and any(e[a] is SAME for a in (A.ELEVE_ID, A.ELENOET, A.AAF)))


def _person_agrees(e: Evidence) -> bool:
    return e[A.BIRTH_DATE] is SAME and e.names_alike()


def _ine_contradicted(e: Evidence) -> bool:
    """One INE, but the person says otherwise: another first name (a brother, a twin, an INE
    typed on the wrong record; a real change of first name is rare and asked), or another
    ELEVE_ID of this school with the names or the birth date not quite the same (another
    Siècle record: a pupil who left and one who arrived with the INE mistyped)."""
    return e[A.FIRST_NAME] is DIFFERENT or (
        e[A.ELEVE_ID] is DIFFERENT and (e[A.NAMES] is not SAME or e[A.BIRTH_DATE] is DIFFERENT))


def _sides(e: Evidence, attribute: Attribute) -> tuple[bool, bool]:
    """Whether the newcomer, and the known person, carry a value of `attribute`."""
    for item in e.items:
        if item.attribute is attribute:
            return bool(item.newcomer), bool(item.known)
    return False, False


def _staff_ids_differ(e: Evidence) -> bool:
    """Staff with ids of one source that differ (two epp, two lines of the local list, two
    jointures AAF), or a line of the local list against STS's local id: two records, only a
    name in common. Two STS local ids that differ say nothing here (STS gives them anew each
    year: a division or group taught by both confirms, the next row holds the others), nor
    does a jointure AAF against an STS id (the AAF carries the STS staff)."""
    if e[A.STS_EPP] is DIFFERENT or e[A.AAF] is DIFFERENT:
        return True
    epp, local = _sides(e, A.STS_EPP), _sides(e, A.STS_LOCAL)
    return (epp[0] and local[1] and not epp[1] and not local[0]) or (
        epp[1] and local[0] and not epp[0] and not local[1])


RULES: tuple[Rule, ...] = (
    Rule("deux INE différents, même ELEVE_ID (ou ELENOET, jointure AAF), nom ou naissance "
         "commun",
         _ine_corrected, PROBABLE,
         "ELEVE_ID 1000002, LÉGER Clément 01/12/2014 des deux côtés, INE 6153120715T dans "
         "l'annuaire, 6153120716T dans l'export : INE corrigé dans Siècle ou faute de frappe, "
         "à confirmer, le compte cleger ne change pas d'ici là"),
    Rule("deux INE différents : deux personnes",
         lambda e: e[A.INE] is DIFFERENT, NONE,
         "INE 1234567890A dans l'annuaire, 0987654321Z dans l'export, même ELENOET 2643, "
         "MARTIN Léa 14/03/2013 et DUBOIS Hugo 02/02/2013 : le nouveau reçoit son propre "
         "compte"),
    Rule("identifiant commun, mais date de naissance et nom différents",
         lambda e: e.shares_id() and e.person_differs(), CONFLICT,
         "même INE, MARTIN Léa 14/03/2013 dans l'annuaire, DUBOIS Hugo 02/02/2013 dans "
         "l'export : à examiner, aucun compte ne change"),
    _by_id("même INE, venu d'un autre collège du dossier, même personne",
         lambda e: _same(e, A.INE) and e[A.SCHOOL] is DIFFERENT and _person_agrees(e), CERTAIN,
         "RENAUD Maël, INE 071818181RR, né le 11/09/2012, parti de A, arrivé à B : son compte "
         "le suit (identifiant mrenaud gardé)"),
    _by_id("même INE, venu d'un autre collège du dossier, nom ou naissance différent",
         lambda e: _same(e, A.INE) and e[A.SCHOOL] is DIFFERENT, PROBABLE,
         "même INE, né le 11/09/2012 à A, le 12/09/2012 à B : à confirmer"),
    _by_id("même INE, mais prénom différent, ou autre ELEVE_ID et nom ou naissance différent",
           lambda e: _same(e, A.INE) and _ine_contradicted(e), PROBABLE,
           "INE 6347788019P, MORIN Ambre (ELEVE_ID 1000047) dans l'annuaire, MORIN Lucas "
           "(ELEVE_ID 1000907) né le même jour dans l'export : un frère, un jumeau, un INE "
           "saisi sur la mauvaise fiche ou un prénom changé, à confirmer, le compte amorin ne "
           "change pas d'ici là"),
    _by_id("même INE", lambda e: _same(e, A.INE), CERTAIN,
         "INE 1234567890A, nom d'usage MARTIN devenu MARTIN-DUBOIS, même prénom : même compte"),
    _by_id("même ELEVE_ID (ou identifiant STS epp, de la liste locale, jointure AAF), mais "
           "prénom différent",
           lambda e: (e[A.FIRST_NAME] is DIFFERENT
                      and any(_same(e, a) for a in (A.ELEVE_ID, A.STS_EPP, A.AAF))), PROBABLE,
           "ELEVE_ID 1000005, GAUTHIER Mohamed dans l'annuaire, GAUTHIER Clara dans l'export "
           "(INE absent), né le même jour : une fiche réutilisée ou mal saisie, un frère, une "
           "sœur, à confirmer, le compte mgauthier2 ne change pas d'ici là (« Helene » devenu "
           "« Hélène » reste le même compte)"),
    _by_id("même ELEVE_ID", lambda e: _same(e, A.ELEVE_ID), CERTAIN,
         "ELEVE_ID 145778, nom d'usage changé : même compte"),
    _by_id("même identifiant STS epp (ou de la liste locale)", lambda e: _same(e, A.STS_EPP),
         CERTAIN, "epp 8949, nom DURAND devenu DURAND-LÉGER : même compte"),
    _by_id("même jointure AAF (ENTPersonJointure)", lambda e: _same(e, A.AAF), CERTAIN,
           "jointure 1234567 de l'annuaire académique, ELEVE_ID absent du flux AAF : même "
           "compte"),
    _by_id("même PERSONNE_ID, mais nom et prénom tous deux différents",
           lambda e: (_same(e, A.PERSONNE_ID) and e[A.BIRTH_DATE] is not SAME
                      and e[A.LAST_NAME] is DIFFERENT and e[A.FIRST_NAME] is DIFFERENT),
           PROBABLE,
           "responsable 2000621, BÉNARD Clément dans l'annuaire, MOREAU Sylvie dans l'export : "
           "à confirmer, le compte c.benard2 ne change pas d'ici là (un nom d'épouse seul, "
           "même prénom, reste le même compte)"),
    _by_id("même PERSONNE_ID, mais prénom différent",
           lambda e: _same(e, A.PERSONNE_ID) and e[A.FIRST_NAME] is DIFFERENT, PROBABLE,
           "responsable 2000004, MME MARTIN Aya née BOUCHER dans l'annuaire, M. BOUCHER Étienne "
           "dans l'export : à confirmer, le compte a.martin4 ne change pas d'ici là (« Helene » "
           "devenu « Hélène » reste le même compte)"),
    _by_id("même PERSONNE_ID, mais nom différent et aucun enfant en commun",
           lambda e: (_same(e, A.PERSONNE_ID) and e[A.LAST_NAME] is DIFFERENT
                      and e[A.CHILD] is DIFFERENT), PROBABLE,
           "responsable 2000017, LEFEBVRE Raphaël responsable de Léa dans l'annuaire, GAUTHIER "
           "Raphaël responsable de Hugo dans l'export : à confirmer (un nom d'épouse avec un "
           "enfant en commun, un nouvel enfant sous le même nom restent le même compte)"),
    _by_id("même PERSONNE_ID", lambda e: _same(e, A.PERSONNE_ID), CERTAIN,
         "responsable 2000001 : même compte"),
    _by_id("même ELENOET de l'établissement, même nom et même date de naissance",
         lambda e: _same(e, A.ELENOET) and _person_agrees(e), CERTAIN,
         "ELENOET 2643, MARTIN Léa 14/03/2013 des deux côtés, nouvel ELEVE_ID : même compte"),
    _by_id("même ELENOET de l'établissement, nom ou date de naissance différent",
         lambda e: _same(e, A.ELENOET), PROBABLE,
         "ELENOET 2643, MARTIN Léa née le 14/03/2013 puis le 15/03/2013 : à confirmer"),
    _by_id("même identifiant STS local et même nom",
         lambda e: _same(e, A.STS_LOCAL) and e.names_alike(), CERTAIN,
         "local 12, FRANÇOIS Loïc les deux années : même compte (un identifiant local seul est "
         "réattribué d'une année à l'autre)"),
    Rule("identifiant STS local devenu epp, même nom, même naissance ou mêmes services",
         lambda e: (_same(e, A.LOCAL_TO_EPP) and e.names_alike()
                    and (e[A.BIRTH_DATE] is SAME or e[A.SERVICES] is SAME)), CERTAIN,
         "contractuel titularisé : local 12 puis epp 8949, LEROY Anne, mêmes cours de 4A : "
         "même compte, même mot de passe"),
    Rule("identifiant STS local devenu epp, même nom, rien d'autre pour confirmer",
         lambda e: (_same(e, A.LOCAL_TO_EPP) and e.names_alike()
                    and e[A.BIRTH_DATE] is not DIFFERENT), PROBABLE,
         "local 12 puis epp 8949, LEROY Anne, sans date de naissance ni cours en commun : à "
         "confirmer"),
    Rule(NAMESAKE_ELSEWHERE,
         lambda e: e[A.SCHOOL] is DIFFERENT and e.names_alike() and e[A.BIRTH_DATE] is SAME,
         PROBABLE,
         "PETIT Noémie 18/01/2014 sans INE dans l'export de B, PETIT Noémie née le même jour, "
         "élève de A (compte npetit) : même personne que PETIT Noémie (npetit) du collège A ? "
         "à confirmer, aucun second compte en silence ; « même personne » : son compte la suit "
         "comme pour un INE ; « personne différente » : un nouveau compte"),
    Rule("même nom et même date de naissance",
         lambda e: e[A.NAMES] is SAME and e[A.BIRTH_DATE] is SAME, CERTAIN,
         "MARTIN Léa 14/03/2013, réinscrite avec un nouvel ELEVE_ID, sans INE : même compte"),
    Rule("personnel : même nom sans date de naissance, mais identifiants différents",
         lambda e: (e.staff and e[A.NAMES] is SAME and e[A.BIRTH_DATE] is Agreement.UNKNOWN
                    and _staff_ids_differ(e)), PROBABLE,
         "LOPEZ Éloïse, ligne L00099 de la liste locale sans date de naissance, et LOPEZ "
         "Éloïse, identifiant STS local 10021, dans l'annuaire : une homonyme peut-être, à "
         "confirmer, le compte elopez ne change pas d'ici là"),
    Rule("personnel : même nom sans date de naissance, autre identifiant STS local, aucune "
         "division ni aucun groupe enseignés en commun",
         lambda e: (e.staff and e[A.NAMES] is SAME and e[A.BIRTH_DATE] is Agreement.UNKNOWN
                    and e[A.STS_LOCAL] is DIFFERENT and e[A.STRUCTURES] is not SAME),
         PROBABLE,
         "LEROY Inès, identifiant STS local 10031 sans date de naissance, un cours en 5B, et "
         "LEROY Inès, local 10021, partie, qui enseignait en 6A et 6B : une homonyme peut-être, "
         "à confirmer, le compte ileroy ne change pas d'ici là (un cours dans une même division "
         "ou un même groupe confirme : même compte)"),
    Rule("personnel : même nom, pas de date de naissance à comparer",
         lambda e: e.staff and e[A.NAMES] is SAME and e[A.BIRTH_DATE] is Agreement.UNKNOWN, CERTAIN,
         "FRANÇOIS Loïc, personnel « local » de STS sans date de naissance, puis dans l'AAF : "
         "même compte"),
    Rule("nom proche (accents, tirets, espaces) et même date de naissance",
         lambda e: e[A.NAMES] is FOLDED and e[A.BIRTH_DATE] is SAME, PROBABLE,
         "« Lena Marie » / « Lena-Marie », « René » / « Rene », même nom et même naissance, "
         "nouvel ELEVE_ID, sans INE : à confirmer, pas de second compte en silence"),
    Rule("responsable : même nom et un enfant en commun",
         lambda e: e.names_alike() and _same(e, A.CHILD), CERTAIN,
         "MARTIN Paul, nouveau PERSONNE_ID, responsable du même élève : même compte"),
    Rule("aucune correspondance", lambda _e: True, NONE,
         "personne d'autre ne partage un identifiant, ou le nom et la date de naissance : "
         "nouveau compte"),
)


def decide(evidence: Evidence) -> tuple[Decision, Rule, int]:
    """The first row that holds: its decision, the row, and its rank (0 = strongest)."""
    for rank, rule in enumerate(RULES):
        if rule.holds(evidence):
            return rule.decision, rule, rank
    raise AssertionError("the last row always holds")
