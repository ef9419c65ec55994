"""The values the plan works on: people and facts of the directory, and the typed actions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from enum import Enum
from operator import attrgetter

from bascule.domain.logins import LoginKind, LoginRegistry
from bascule.domain.people import PersonKind as PersonKind
from bascule.domain.school import SchoolYear
from bascule.errors import Location
from bascule.plan.kinds import ActionKind as ActionKind
from bascule.values import quick_init


class AccountStatus(Enum):
    ACTIVE = "active"
    DISABLED = "disabled"
    DELETED = "deleted"


def login_of(logins: tuple[tuple[LoginKind, str], ...], kind: LoginKind) -> str | None:
    """The last login of `kind`, as a dict of them would give it; the kinds compared by
    identity: no Enum hashed (the slips and the CSV of a first rollover ask tens of thousands
    of times)."""
    for each, login in reversed(logins):
        if each is kind:
            return login
    return None


@quick_init
@dataclass(frozen=True, slots=True, order=True)
class SourceId:
    """One identifier a source gives a person: ("ine", "1234567890A"), ("sts_epp", "8949")…"""

    scheme: str
    value: str


# SourceId's own order (order=True: scheme, then value) as a sort key: sorted in C, where the
# generated `__lt__` is Python code called for each comparison (a first rollover sorts the
# source ids of every person it creates).
SOURCE_ID_ORDER: Callable[[SourceId], tuple[object, ...]] = attrgetter(
    *(each.name for each in fields(SourceId)))


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Identity:
    """What the directory keeps of who a person is; a difference is an update."""

    last_name: str
    birth_name: str | None
    first_name: str
    birth_date: date | None
    email: str | None
    function: str | None  # staff only
    profile: str  # eleve, responsable, enseignant, direction, vie_scolaire, documentation, …
    # An élève's DATE_SORTIE still to come: once it passes, the next plan disables the account
    # and the ENT refuses it, without waiting for the next export.
    exit_date: date | None = None


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Account:
    logins: tuple[tuple[LoginKind, str], ...]
    status: AccountStatus
    status_since: datetime

    def login(self, kind: LoginKind) -> str | None:
        return login_of(self.logins, kind)


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class KnownPerson:
    key: str
    kind: PersonKind
    source_ids: frozenset[SourceId]
    identity: Identity
    account: Account | None
    school: str | None = None  # another school of the folder (a transfer's origin); None: this
    # Another school's élève whom that school's newest campaign, of the school year planned or
    # a later one, still lists: a double enrolment, never a transfer (plan/matching.py).
    enrolled_there: EnrolledThere | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EnrolledThere:
    """An élève as another school's newest campaign lists them: its export's date, and their
    DATE_SORTIE there (None: none)."""

    export_date: date
    exit_date: date | None = None

    def on(self, day: date | None) -> bool:
        """Still there on `day` (None: on the export's date)."""
        return day is None or self.exit_date is None or self.exit_date > day


class Choice(Enum):
    """What a person decided about a review case."""

    SAME = "same"  # the same person: the account follows, login kept
    DIFFERENT = "different"  # a different person: a new account; the other left as it was
    NOT_YET = "not_yet"  # nothing happens to anyone involved

    @property
    def label(self) -> str:
        return {Choice.SAME: "même personne", Choice.DIFFERENT: "personne différente",
                Choice.NOT_YET: "pas encore"}[self]


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolution:
    """A decision on a review case, remembered across imports: `candidates` are the directory
    keys it was about (the one account followed for SAME)."""

    choice: Choice
    candidates: tuple[str, ...]


@quick_init
@dataclass(frozen=True, slots=True, order=True)
class Fact:
    """A structure, membership, service, PP or guardianship of one school year, comparable.

    kind: "structure", "member", "service", "pp", "guardian"; subject is a person key (or the
    structure code for "structure"); target a structure "D:6A" / "G:5ESP 1" or a person key;
    detail a subject code, a guardian level, or a structure's label and parents.
    """

    kind: str
    subject: str
    target: str
    detail: str = ""


# A fact as a plan compares them: Fact's fields in their order, (kind, subject, target, detail).
# A school's thousands of facts are loaded, desired and compared at every plan: a tuple is made,
# hashed and compared in C, a Fact in Python (about a tenth of a 1 % change's plan). Sorted, rows
# come in the order of their Facts.
FactRow = tuple[str, str, str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoreState:
    uai: str
    people: tuple[KnownPerson, ...]
    registries: dict[LoginKind, LoginRegistry]
    facts: frozenset[FactRow]  # of the school year being planned
    fingerprint: str  # changes whenever the directory does: a saved plan checks it
    # From the latest school year applied up to the one planned:
    latest_year: int | None = None
    divisions: dict[str, str] = field(default_factory=dict)  # élève key -> division
    groups: dict[str, frozenset[str]] = field(default_factory=dict)  # key -> group codes
    children: dict[str, frozenset[str]] = field(default_factory=dict)  # responsable -> élèves
    last_level_divisions: frozenset[str] = frozenset()  # the 3e, who leave at the rentrée
    latest_structures: frozenset[str] = frozenset()  # "D:6A", "G:5ESP 1"
    services: dict[str, frozenset[str]] = field(default_factory=dict)  # staff key -> "D:6A/MATHS"
    # Élèves of the folder's other schools sharing an INE with the campaign (transfers).
    elsewhere: tuple[KnownPerson, ...] = ()
    resolutions: dict[str, Resolution] = field(default_factory=dict)  # snapshot ref -> decision
    # The deletion breaker's reference for the year planned: profile -> the most active
    # accounts since the year's first apply or the last confirmed mass departure.
    departure_marks: dict[str, int] = field(default_factory=dict)
    # Holds put by hand (active or not: the plan keeps those active on its day).
    person_holds: tuple[PersonHold, ...] = ()
    # The school's people not loaded in full (store/state.py, plan/reach.py: settled by the
    # basis of a proportional plan): key -> the profile of their active account, or None.
    unreached: Mapping[str, str | None] = field(default_factory=dict)
    # The directory version of each other school of the folder, read before their logins
    # (store/state.py's folder_versions): kept with the plan, so that its apply knows whether
    # any of them gave ids since. None: not read.
    folder_versions: tuple[tuple[str, int], ...] | None = None
    # Subjects whose facts of the year planned were not loaded (plan/reach.py
    # `Reached.facts_left_out`: none the plan compares); `more_facts` reads those of some
    # subjects, should a plan need them after all.
    facts_left_out: frozenset[str] = frozenset()
    more_facts: Callable[[frozenset[str]], frozenset[FactRow]] | None = field(
        default=None, compare=False)

    def keys(self) -> set[str]:
        """The keys of every person of the school, loaded in full or not."""
        return {person.key for person in self.people} | self.unreached.keys()

    def active_profiles(self) -> Counter[str]:
        """The profile of each active account of the school: how many of each."""
        active = Counter(person.identity.profile for person in self.people
                         if person.account and person.account.status is AccountStatus.ACTIVE)
        active.update(profile for profile in self.unreached.values() if profile is not None)
        return active


@dataclass(frozen=True, slots=True, kw_only=True)
class MassLeave:
    """More accounts of a profile would be gone than a rollover explains: `unexpected` of the
    `active` accounts the breaker compares with (its reference), this plan's included."""

    profile: str
    unexpected: int
    active: int


@quick_init
@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of a person that an action changes, old -> new, as text.

    `field` is a code of domain/labels.FIELDS: an Identity attribute ("last_name",
    "birth_date", "profile"…), "division", "groups", "status", "source_id", "établissement", or
    "login pnom" / "login p.nom" (the network and EduConnect logins, when they follow a name
    change or a reserved word). `old` and `new` are "" when absent; dates are ISO 8601
    (2014-03-14), statuses and profiles their codes (active, eleve), groups their codes sorted
    and joined by ", " ("5ESP 1, LATIN5"). The same value records what an apply changed.
    """

    field: str
    old: str
    new: str


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    kind: ActionKind
    person: str  # person key, or the structure code for a structure fact
    profile: str
    label: str  # "MARTIN Léa", for people reading the plan
    person_kind: PersonKind | None = None  # None for a fact
    division: str | None = None
    logins: tuple[tuple[LoginKind, str], ...] = ()
    previous_logins: tuple[tuple[LoginKind, str], ...] = ()  # freed by an update, if any
    identity: Identity | None = None
    source_ids: tuple[SourceId, ...] = ()
    changes: tuple[FieldChange, ...] = ()  # what the action changes of the person, old -> new
    fact: Fact | None = None
    # A transfer: the school and key the account comes from, and its school-scoped ids dropped.
    from_school: str | None = None
    from_key: str | None = None
    dropped_ids: tuple[SourceId, ...] = ()

    def login(self, kind: LoginKind) -> str | None:
        return login_of(self.logins, kind)


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanProblem:
    """Something the plan will not do by itself: an ambiguous match, never merged silently."""

    person: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Held:
    """A person the plan leaves exactly as they are, until someone settles why.

    Never created, updated, moved, renamed or disabled; their memberships, services, PP and
    guardianships stay. `key` is the person's key in the directory, or, for a person not in it
    yet, the campaign's ref ("eleve:145778"). `reason` and `hint` are French, for the school;
    `location` is the faulty record's file and line, or None (a review case, a manual hold).
    """

    key: str
    label: str  # "MARTIN Léa"
    reason: str
    location: Location | None = None
    hint: str = ""
    known: bool = True  # False: nobody in the directory yet, so nothing is created
    # A hold someone put by hand (PersonHold): its last day and who put it; None otherwise.
    until: date | None = None
    by: str | None = None
    # A person of the export in doubt (`known` False): the keys of the accounts they could be,
    # each held on a line of its own.
    accounts: tuple[str, ...] = ()
    # A person of the export whose account another school of the folder holds (a double
    # enrolment): that school's UAI.
    account_elsewhere: str | None = None

    @property
    def account_note(self) -> str:
        """What the line says of the person's account, in French ("" for an account)."""
        if self.known:
            return ""
        if self.accounts:
            return " (a peut-être déjà un compte, laissé tel quel)"
        if self.account_elsewhere:
            return f" (son compte est au collège {self.account_elsewhere}, laissé tel quel)"
        return " (pas encore de compte)"


class HoldOrigin(Enum):
    MANUAL = "manual"  # bascule hold add, the console's Retenues
    EXCLUDED = "excluded"  # an action excluded when the plan was approved


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonHold:
    """A hold an operator or the direction put on a person: every action of the plan about
    them is left out, their account and facts kept exactly as they are, through `until`
    (inclusive, school's calendar day); it ends by itself the day after.

    `key` is the person's directory key ("eleve:1000001"), or, for someone the campaign would
    create, their campaign ref (the key their creation has in the plan). `reason` is French.
    """

    key: str
    label: str
    reason: str
    until: date
    by: str
    origin: HoldOrigin = HoldOrigin.MANUAL

    def active_on(self, day: date) -> bool:
        return day <= self.until


class Decision(Enum):
    """What the identity table concludes about one candidate (plan/identity_rules.py)."""

    CERTAIN = "certain"  # the account follows the person
    PROBABLE = "probable"  # likely the same person: held for review
    NONE = "none"  # not the same person: the newcomer gets an account of their own
    CONFLICT = "conflict"  # an id says yes, the person says no: held for review

    @property
    def label(self) -> str:
        return {Decision.CERTAIN: "correspondance certaine",
                Decision.PROBABLE: "correspondance probable (à confirmer)",
                Decision.NONE: "personne différente",
                Decision.CONFLICT: "conflit (identifiant commun, personne différente)"}[self]


class Agreement(Enum):
    """How one attribute of a newcomer compares with a known person's."""

    SAME = "same"
    FOLDED = "folded"  # equal once case, accents, hyphens, spaces and apostrophes are folded
    DIFFERENT = "different"
    UNKNOWN = "unknown"  # missing on one side, or not comparable (another school's numbering)

    @property
    def label(self) -> str:
        return {Agreement.SAME: "identique", Agreement.FOLDED: "proche (accents, tirets…)",
                Agreement.DIFFERENT: "différent", Agreement.UNKNOWN: "non comparable"}[self]


class Attribute(Enum):
    INE = "ine"
    ELEVE_ID = "eleve_id"
    ELENOET = "elenoet"  # counted only in this school's numbering
    STS_EPP = "sts_epp"  # the STS epp id, or the local-people CSV's
    STS_LOCAL = "sts_local"
    LOCAL_TO_EPP = "local_to_epp"  # SAME: an epp id for a person known by a local id only
    PERSONNE_ID = "personne_id"
    AAF = "aaf"  # the AAF's ENTPersonJointure
    SCHOOL = "school"  # DIFFERENT: the known person is in another school of the folder
    BIRTH_DATE = "birth_date"
    NAMES = "names"
    # Compared apart only when NAMES differ: a whole identity changed under one id
    LAST_NAME = "last_name"  # usage or birth name, either way
    FIRST_NAME = "first_name"
    SERVICES = "services"  # staff: SAME when they share a service
    STRUCTURES = "structures"  # staff: SAME when they teach in one division or group both
    CHILD = "child"  # responsables: SAME when they share a child, DIFFERENT when none

    @property
    def label(self) -> str:
        return _ATTRIBUTE_LABELS[self]


_ATTRIBUTE_LABELS = {
    Attribute.INE: "INE", Attribute.ELEVE_ID: "ELEVE_ID", Attribute.ELENOET: "ELENOET",
    Attribute.STS_EPP: "identifiant STS (epp)", Attribute.STS_LOCAL: "identifiant STS local",
    Attribute.LOCAL_TO_EPP: "identifiant STS local devenu epp",
    Attribute.PERSONNE_ID: "PERSONNE_ID", Attribute.AAF: "jointure AAF",
    Attribute.SCHOOL: "établissement",
    Attribute.BIRTH_DATE: "date de naissance", Attribute.NAMES: "nom et prénom",
    Attribute.LAST_NAME: "nom", Attribute.FIRST_NAME: "prénom",
    Attribute.SERVICES: "services", Attribute.STRUCTURES: "divisions et groupes enseignés",
    Attribute.CHILD: "enfants"}


@dataclass(frozen=True, slots=True, kw_only=True)
class AttributeEvidence:
    attribute: Attribute
    agreement: Agreement
    newcomer: str  # the value in the export ("" when absent)
    known: str  # the value in the directory


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """A known person a newcomer could be, with the evidence and the table's row."""

    key: str
    label: str
    login: str | None
    school: str | None  # another school of the folder, or None for this one
    decision: Decision
    rule: str  # the row of the identity table that decided
    evidence: tuple[AttributeEvidence, ...]
    # « NOM Prénom (eleve:…) »: the person of the export whom the plan gives this account with
    # certainty (« même personne » would give it to two: refused, store/reviews.py)
    taken_by: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewCase:
    """A person of the export held until someone decides who they are (a correlation case)."""

    person: str  # the snapshot ref: "eleve:151002"
    label: str
    division: str | None
    reason: str  # in French
    candidates: tuple[Candidate, ...]
    resolution: Resolution | None = None  # "not yet" keeps a case open


class PlanPurpose(Enum):
    CAMPAIGN = "campaign"  # takes the directory to the staged campaign
    LIFECYCLE = "lifecycle"  # the calendar's deletions
    UNDO = "undo"  # puts back what an applied plan changed (bascule undo)


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    uai: str
    school_year: SchoolYear
    computed_at: datetime
    state_fingerprint: str
    actions: tuple[Action, ...]
    problems: tuple[PlanProblem, ...] = ()
    held: tuple[Held, ...] = ()  # left exactly as they are, and listed as such
    reviews: tuple[ReviewCase, ...] = ()  # the correlation cases waiting for a person
    mass_leaves: tuple[MassLeave, ...] = ()
    # Against the latest year applied: divisions and groups that appear, and that are gone.
    structures_created: tuple[str, ...] = ()
    structures_retired: tuple[str, ...] = ()
    purpose: PlanPurpose = PlanPurpose.CAMPAIGN
    undoes: int | None = None  # an undo: the id of the applied plan it undoes (history)

    @property
    def is_empty(self) -> bool:
        return not self.actions
