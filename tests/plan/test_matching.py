"""Each matching rule: ids before names, INE in any field, ambiguity reported, never merged."""

from __future__ import annotations

from datetime import date

from bascule.plan.desired import DesiredPerson
from bascule.plan.matching import match_people
from bascule.plan.model import Identity, KnownPerson, PersonKind, SourceId

ELEVE, STAFF, RESPONSABLE = PersonKind.ELEVE, PersonKind.STAFF, PersonKind.RESPONSABLE


def identity(last: str = "MARTIN", first: str = "Léa", born: date | None = date(2014, 3, 14),
             profile: str = "eleve") -> Identity:
    return Identity(last_name=last, birth_name=None, first_name=first, birth_date=born,
                    email=None, function=None, profile=profile)


def known(key: str, kind: PersonKind = ELEVE, *ids: tuple[str, str],
          **names: object) -> KnownPerson:
    return KnownPerson(key=key, kind=kind, source_ids=frozenset(SourceId(*i) for i in ids),
                       identity=identity(**names), account=None)  # type: ignore[arg-type]


def desired(ref: str, kind: PersonKind = ELEVE, *ids: tuple[str, str],
            children: frozenset[str] = frozenset(), **names: object) -> DesiredPerson:
    return DesiredPerson(ref=ref, kind=kind, source_ids=frozenset(SourceId(*i) for i in ids),
                         identity=identity(**names), children=children)  # type: ignore[arg-type]


def matched(people: list[DesiredPerson], directory: list[KnownPerson],
            children: dict[str, frozenset[str]] | None = None) -> dict[str, str]:
    result = match_people(people, directory, children or {})
    return {ref: person.key for ref, person in result.known.items()}


def test_an_ine_matches_whichever_field_holds_it() -> None:
    directory = [known("k1", ELEVE, ("ine_bea", "0987654321B"), ("eleve_id", "1"))]
    people = [desired("eleve:2", ELEVE, ("ine", "0987654321B"), ("eleve_id", "2"))]
    assert matched(people, directory) == {"eleve:2": "k1"}


def test_a_record_recreated_with_a_new_eleve_id_but_the_same_ine_is_the_same_person() -> None:
    directory = [known("k1", ELEVE, ("ine", "1234567890A"), ("eleve_id", "1"))]
    people = [desired("eleve:9", ELEVE, ("ine", "1234567890A"), ("eleve_id", "9"))]
    assert matched(people, directory) == {"eleve:9": "k1"}


def test_a_new_record_with_a_known_ine_under_another_first_name_waits_for_a_decision() -> None:
    """A brother, a twin, an INE typed on the wrong record: the account does not change hands."""
    directory = [known("k1", ELEVE, ("ine", "1234567890A"), ("eleve_id", "1"))]
    people = [desired("eleve:9", ELEVE, ("ine", "1234567890A"), ("eleve_id", "9"),
                      first="Léa-Marie")]
    result = match_people(people, directory)
    assert result.known == {} and result.ambiguous == {"eleve:9"}
    assert [c.key for case in result.reviews for c in case.candidates] == ["k1"]


def test_an_ine_appearing_later_on_a_known_eleve_id_is_the_same_person() -> None:
    directory = [known("k1", ELEVE, ("eleve_id", "1"))]
    people = [desired("eleve:1", ELEVE, ("ine", "1234567890A"), ("eleve_id", "1"))]
    assert matched(people, directory) == {"eleve:1": "k1"}


def test_elenoet_then_name_and_birth_date() -> None:
    directory = [known("k1", ELEVE, ("elenoet", "2643")),
                 known("k2", ELEVE, ("eleve_id", "77"), last="DUPONT", first="Hugo")]
    people = [desired("eleve:1", ELEVE, ("elenoet", "2643"), ("eleve_id", "1")),
              desired("eleve:2", ELEVE, ("eleve_id", "2"), last="Dupont", first="hugo")]
    assert matched(people, directory) == {"eleve:1": "k1", "eleve:2": "k2"}


def test_a_name_never_takes_a_record_an_id_speaks_for() -> None:
    directory = [known("k1", ELEVE, ("eleve_id", "1"))]
    people = [desired("eleve:0", ELEVE, ("eleve_id", "0")),  # same name and birth date
              desired("eleve:1", ELEVE, ("eleve_id", "1"))]
    result = match_people(people, directory, {})
    assert {r: p.key for r, p in result.known.items()} == {"eleve:1": "k1"}
    assert [p.person for p in result.problems] == ["eleve:0"]


def test_two_candidates_are_reported_never_merged() -> None:
    directory = [known("k1", ELEVE, ("eleve_id", "1")), known("k2", ELEVE, ("eleve_id", "2"))]
    people = [desired("eleve:3", ELEVE, ("eleve_id", "3"))]  # same names as both
    result = match_people(people, directory, {})
    assert result.known == {}
    assert result.ambiguous == {"eleve:3"}
    assert "correspond à plusieurs comptes" in result.problems[0].message


def test_staff_by_epp_id_then_name_and_birth_date() -> None:
    directory = [known("s1", STAFF, ("sts_epp", "8949"), last="DURAND", first="Claire"),
                 known("s2", STAFF, ("sts_epp", "100"), last="LE GOFF", first="Jean")]
    people = [desired("staff:epp:8949", STAFF, ("sts_epp", "8949"), last="DURAND-LÉGER",
                      first="Claire"),
              desired("staff:epp:555", STAFF, ("sts_epp", "555"), last="LE GOFF", first="Jean")]
    assert matched(people, directory) == {"staff:epp:8949": "s1", "staff:epp:555": "s2"}


def test_a_local_sts_id_alone_is_not_trusted() -> None:
    directory = [known("s1", STAFF, ("sts_local", "12"), last="FRANÇOIS", first="Loïc",
                       born=None)]
    someone_else = desired("staff:local:12", STAFF, ("sts_local", "12"), last="NOËL",
                           first="Joël", born=None)
    same = desired("staff:local:12", STAFF, ("sts_local", "12"), last="FRANÇOIS",
                   first="Loïc", born=None)
    assert matched([someone_else], directory) == {}
    assert matched([same], directory) == {"staff:local:12": "s1"}


def test_responsable_by_personne_id_then_name_and_a_child_in_common() -> None:
    directory = [known("e1", ELEVE, ("eleve_id", "1")),
                 known("r1", RESPONSABLE, ("personne_id", "2000001"), last="MARTIN",
                       first="Paul", born=None)]
    people = [desired("eleve:1", ELEVE, ("eleve_id", "1")),
              desired("responsable:3000009", RESPONSABLE, ("personne_id", "3000009"),
                      children=frozenset({"eleve:1"}), last="MARTIN", first="Paul", born=None)]
    assert matched(people, directory, {"r1": frozenset({"e1"})}) == {
        "eleve:1": "e1", "responsable:3000009": "r1"}
    assert "responsable:3000009" not in matched(people, directory, {})


def _held(result: object) -> set[str]:
    return result.ambiguous  # type: ignore[attr-defined, no-any-return]


def test_a_re_registered_pupil_whose_first_name_is_typed_otherwise_is_held_for_review() -> None:
    directory = [known("k1", ELEVE, ("eleve_id", "1"), first="Lena-Marie")]
    people = [desired("eleve:2", ELEVE, ("eleve_id", "2"), first="Lena Marie")]
    result = match_people(people, directory, {})
    assert result.known == {} and _held(result) == {"eleve:2"}
    (case,) = result.reviews
    assert [(c.key, c.decision.value) for c in case.candidates] == [("k1", "probable")]
    assert result.doubtful == {"k1"}


def test_an_ine_found_again_on_another_person_is_a_conflict_never_a_rename() -> None:
    directory = [known("k1", ELEVE, ("ine", "1234567890A"), ("eleve_id", "1"))]
    people = [desired("eleve:2", ELEVE, ("ine", "1234567890A"), ("eleve_id", "2"),
                      last="DUBOIS", first="Hugo", born=date(2013, 2, 2))]
    result = match_people(people, directory, {})
    assert result.known == {}
    assert [c.decision.value for c in result.reviews[0].candidates] == ["conflict"]


def test_two_ines_that_differ_with_nothing_else_of_one_person_are_two_people() -> None:
    """No id in common (same names and birth date: still two INEs), or a number given again to
    someone whose names and birth date both differ (identity-elenoet-carried)."""
    for directory in ([known("k1", ELEVE, ("ine", "1234567890A"), ("eleve_id", "1"))],
                      [known("k1", ELEVE, ("ine", "1234567890A"), ("elenoet", "2643"),
                             last="DUBOIS", first="Hugo", born=date(2013, 2, 2))]):
        people = [desired("eleve:2", ELEVE, ("ine", "0987654321Z"), ("elenoet", "2643"),
                          ("eleve_id", "2"))]
        result = match_people(people, directory, {})
        assert result.known == {} and _held(result) == set() and result.reviews == []


def test_an_ine_changed_on_the_same_siecle_record_is_held_never_a_second_account() -> None:
    """One character of the INE changed, the same ELEVE_ID (or ELENOET), names and birth date:
    an INE corrected in Siècle or mistyped; a person decides, the account waits."""
    for shared in (("eleve_id", "1000002"), ("elenoet", "2")):
        directory = [known("k1", ELEVE, ("ine", "6153120715T"), shared)]
        people = [desired("eleve:1000002", ELEVE, ("ine", "6153120716T"), shared)]
        result = match_people(people, directory, {})
        assert result.known == {} and _held(result) == {"eleve:1000002"}, shared
        (case,) = result.reviews
        assert [(c.key, c.decision.value) for c in case.candidates] == [("k1", "probable")]
        assert result.doubtful == {"k1"}


def test_every_account_a_held_pupil_shares_an_id_with_is_kept_whatever_the_table_says() -> None:
    """LÉGER (ELEVE_ID 2) given TRAN's INE: both held, and kept: TRAN's account, and LÉGER's
    (ELEVE_ID 2), even where the table turns it away (two INEs, and names and birth date
    that differ: two people, were anyone deciding)."""
    lea = {"last": "LÉGER", "first": "Clément", "born": date(2014, 12, 1)}
    for own in (lea, {"last": "ROY", "first": "Inès", "born": date(2013, 1, 5)}):
        directory = [known("k1", ELEVE, ("ine", "1038601988M"), ("eleve_id", "1"),
                           last="TRAN", first="Lætitia", born=date(2014, 8, 9)),
                     known("k2", ELEVE, ("ine", "6153120715T"), ("eleve_id", "2"),
                           ("elenoet", "2"), **own)]
        people = [desired("eleve:1", ELEVE, ("ine", "1038601988M"), ("eleve_id", "1"),
                          last="TRAN", first="Lætitia", born=date(2014, 8, 9)),
                  desired("eleve:2", ELEVE, ("ine_rnie", "1038601988M"), ("eleve_id", "2"),
                          ("elenoet", "2"), **lea)]
        result = match_people(people, directory, {})
        assert result.known == {} and _held(result) == {"eleve:1", "eleve:2"}
        assert result.could_be == {"eleve:1": {"k1"}, "eleve:2": {"k1", "k2"}}, own
        assert result.doubtful == {"k1", "k2"} and result.reviews == []
        # An entry error no one's decision settles: the hint is Siècle-BEE, not the review.
        assert all("Siècle-BEE" in hint and "review" not in hint
                   for hint in result.hints.values())


def test_an_ine_worn_by_two_pupils_of_one_export_holds_both_and_their_account() -> None:
    directory = [known("k1", ELEVE, ("ine", "1234567890A"), ("eleve_id", "1"))]
    people = [desired("eleve:1", ELEVE, ("ine", "1234567890A"), ("eleve_id", "1")),
              desired("eleve:2", ELEVE, ("ine", "1234567890A"), ("eleve_id", "2"),
                      first="Hugo")]
    result = match_people(people, directory, {})
    assert result.known == {} and _held(result) == {"eleve:1", "eleve:2"}
    assert result.doubtful == {"k1"}
    assert all("INE 1234567890A porté par plusieurs élèves" in p.message
               for p in result.problems)


def test_a_local_sts_id_replaced_by_an_epp_id_is_the_same_person() -> None:
    directory = [known("s1", STAFF, ("sts_local", "12"), last="LEROY", first="Anne",
                       born=date(1980, 5, 1))]
    people = [desired("staff:epp:8949", STAFF, ("sts_epp", "8949"), last="LEROY",
                      first="Anne", born=date(1980, 5, 1))]
    assert matched(people, directory) == {"staff:epp:8949": "s1"}


def test_a_decision_same_person_makes_the_account_follow() -> None:
    from bascule.plan.matching import MatchContext
    from bascule.plan.model import Choice, Resolution

    directory = [known("k1", ELEVE, ("eleve_id", "1"), first="Lena-Marie")]
    people = [desired("eleve:2", ELEVE, ("eleve_id", "2"), first="Lena Marie")]
    for choice, expected, held in ((Choice.SAME, {"eleve:2": "k1"}, set()),
                                   (Choice.DIFFERENT, {}, set()),
                                   (Choice.NOT_YET, {}, {"eleve:2"})):
        context = MatchContext(resolutions={"eleve:2": Resolution(choice=choice,
                                                                  candidates=("k1",))})
        result = match_people(people, directory, context=context)
        assert {r: p.key for r, p in result.known.items()} == expected, choice
        assert _held(result) == held, choice


def test_two_claims_on_one_account_neither_agreeing_in_every_id_hold_both() -> None:
    """« Même INE » outranks « même ELENOET », but each claim has another ELEVE_ID: the rank
    never decides between two people, both wait and the account is no one's."""
    directory = [known("k1", ELEVE, ("ine", "1234567890A"), ("eleve_id", "1"),
                       ("elenoet", "2643"))]
    people = [desired("eleve:9", ELEVE, ("ine", "1234567890A"), ("eleve_id", "9")),
              desired("eleve:8", ELEVE, ("elenoet", "2643"), ("eleve_id", "8"))]
    result = match_people(people, directory)
    assert result.known == {} and result.ambiguous == {"eleve:8", "eleve:9"}
    assert result.doubtful == {"k1"}
    reasons = {case.person: case.reason for case in result.reviews}
    assert "MARTIN Léa (eleve:8)" in reasons["eleve:9"]
    assert "MARTIN Léa (eleve:9)" in reasons["eleve:8"]


def test_of_two_claims_on_one_account_the_one_agreeing_in_every_id_takes_it() -> None:
    directory = [known("k1", ELEVE, ("ine", "1234567890A"), ("eleve_id", "1"))]
    people = [desired("eleve:9", ELEVE, ("ine", "1234567890A"), ("eleve_id", "9")),
              desired("eleve:1", ELEVE, ("eleve_id", "1"))]
    result = match_people(people, directory)
    assert {ref: p.key for ref, p in result.known.items()} == {"eleve:1": "k1"}
    assert result.ambiguous == {"eleve:9"}


def test_a_name_alone_never_wins_an_account_an_id_of_someone_else_names() -> None:
    """The account's jointure AAF is another newcomer's (under another INE: in doubt); the one
    of the same name and birth date, no id in common, does not take it either."""
    directory = [known("k1", ELEVE, ("aaf", "1234567"), ("ine", "1234567890A"))]
    people = [desired("eleve:1", ELEVE, ("eleve_id", "1")),
              desired("eleve:2", ELEVE, ("aaf", "1234567"), ("ine", "0987654321B"),
                      ("eleve_id", "2"))]
    result = match_people(people, directory)
    assert result.known == {} and result.ambiguous == {"eleve:1", "eleve:2"}
    reasons = {case.person: case.reason for case in result.reviews}
    assert reasons["eleve:1"] == ("correspond à un compte que réclame aussi MARTIN Léa "
                                  "(eleve:2)")


def test_a_decision_on_this_schools_person_never_names_another_schools_of_the_same_key() -> None:
    """ELEVE_IDs are each school's: « personne différente » about this school's eleve:5 (a key
    alone, as decisions were recorded before other schools' candidates were named UAI/key)
    does not set aside another school's eleve:5, the élève's own account by the INE."""
    from dataclasses import replace

    from bascule.plan.matching import MatchContext
    from bascule.plan.model import Choice, Resolution

    here = known("eleve:5", ELEVE, ("eleve_id", "5"), first="Hugo", born=date(2013, 1, 1))
    there = replace(known("eleve:5", ELEVE, ("ine", "1234567890A"), ("eleve_id", "5")),
                    school="0861000V")
    people = [desired("eleve:9", ELEVE, ("ine", "1234567890A"), ("eleve_id", "9"))]
    said = {"eleve:9": Resolution(choice=Choice.DIFFERENT, candidates=("eleve:5",))}
    result = match_people(people, [here], context=MatchContext(elsewhere=(there,),
                                                               resolutions=said))
    assert [(p.school, p.key) for p in result.known.values()] == [("0861000V", "eleve:5")]
    # Where no one of this school has that key, the key alone still names the other's.
    result = match_people(people, [], context=MatchContext(elsewhere=(there,),
                                                           resolutions=said))
    assert result.known == {}
