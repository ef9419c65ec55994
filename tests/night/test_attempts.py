"""A school's night worked again after its worker died (issue 21): the report keeps what the
earlier attempt did, once."""

from __future__ import annotations

import shutil

import pytest

from bascule.cli.common import moment
from bascule.errors import UserError
from bascule.operations.night.run import with_earlier_attempt
from bascule.reports.night import StepReport, StepStatus
from tests.conftest import UAI, Cli, Files

DONE, UNCHANGED, FAILED = StepStatus.DONE, StepStatus.UNCHANGED, StepStatus.FAILED


def _step(name: str, status: StepStatus, reason: str = "") -> StepReport:
    return StepReport(step=name, status=status, reason=reason)


def test_a_step_the_killed_attempt_did_stays_done() -> None:
    earlier = (_step("import", DONE, "export du 15/09 importé"), _step("plan", DONE))
    later = [_step("import", UNCHANGED, "aucun nouvel export"), _step("plan", UNCHANGED),
             _step("apply", DONE), _step("sync", FAILED, "annuaire injoignable")]
    merged = with_earlier_attempt(earlier, later)
    assert [(s.step, s.status) for s in merged] == [
        ("import", DONE), ("plan", DONE), ("apply", DONE), ("sync", FAILED)]
    assert merged[0].reason == "export du 15/09 importé"


def test_a_failure_of_the_earlier_attempt_is_replaced_by_the_later_outcome() -> None:
    earlier = (_step("sync", FAILED, "annuaire injoignable"),)
    assert with_earlier_attempt(earlier, [_step("sync", DONE)]) == [_step("sync", DONE)]
    assert with_earlier_attempt((), [_step("sync", UNCHANGED)]) == [_step("sync", UNCHANGED)]


def test_an_error_is_reported_on_the_step_it_stopped(home_cli: Cli, files: Files,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A refusal in the middle of a school's night names its step (« application du plan »),
    not a step « erreur » no one knows (newcomer 9, finding 5)."""
    from bascule.operations.night import run, school

    def refused(_context: object, _plan: object) -> None:
        raise UserError("Refusé pour l'essai.")
    monkeypatch.setattr(school, "_apply_or_hold", refused)
    _drop(home_cli, files)
    night = run.school_night(home_cli.home, UAI, moment("2026-09-02T02:30"), dry_run=False)
    assert [(s.step, s.status) for s in night.steps][-2:] == [("plan", DONE), ("apply", FAILED)]
    assert night.steps[-1].reason == "Refusé pour l'essai."


def test_a_plan_another_school_made_stale_is_computed_again(home_cli: Cli, files: Files,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """Two schools' nights side by side (--jobs, workers): the other school's apply took one of
    this school's élèves (a transfer), this school's plan is stale when it applies: computed
    again and applied, not failed (newcomer 9b: « Le plan enregistré n'est plus à jour »)."""
    from bascule.operations.night import run, school
    from bascule.store.apply import StalePlan

    really, tries = school._apply_or_hold, []

    def once_stale(context: school.SchoolContext, plan: object) -> None:
        tries.append(plan)
        if len(tries) == 1:
            raise StalePlan()
        really(context, plan)  # type: ignore[arg-type]
    monkeypatch.setattr(school, "_apply_or_hold", once_stale)
    _drop(home_cli, files)
    night = run.school_night(home_cli.home, UAI, moment("2026-09-02T02:30"), dry_run=False)
    steps = {s.step: s for s in night.steps}
    assert len(tries) == 2 and steps["apply"].status is DONE, night
    assert "calculé de nouveau" in steps["plan"].reason


def _drop(cli: Cli, files: Files) -> None:
    depot = cli.home / "depot" / UAI
    depot.mkdir(parents=True)
    for path in files():
        shutil.copy(path, depot / path.name)


def test_an_internal_error_is_reported_without_its_text(home_cli: Cli, files: Files,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """An error's text may hold a statement's values: the night's report (its JSON, HTML and
    mail) names its kind only (newcomer 10: a pupil's name and birth date in the report)."""
    from bascule.operations.night import run, school

    def broken(_context: object, _plan: object) -> None:
        raise RuntimeError("INSERT INTO person … ('ANDRÉ', 'Benoît', '2012-10-22')")
    monkeypatch.setattr(school, "_apply_or_hold", broken)
    _drop(home_cli, files)
    night = run.school_night(home_cli.home, UAI, moment("2026-09-02T02:30"), dry_run=False)
    reason = night.steps[-1].reason
    assert night.steps[-1].status is FAILED and "erreur interne (RuntimeError)" in reason
    assert f"bascule --debug run --uai {UAI} --jobs 1" in reason
    assert "ANDRÉ" not in reason and "2012" not in reason and "INSERT" not in reason


def test_an_approved_held_plan_another_school_overtook_is_computed_again(
        home_cli: Cli, files: Files, monkeypatch: pytest.MonkeyPatch) -> None:
    """The night held a plan, the direction approved it, and another school of the folder gave
    one of its EduConnect ids since: every night refused it again, with no way out shown
    (newcomer 10). Computed again, it is applied (or held again, for a new approval)."""
    from bascule.operations import campaign
    from bascule.operations.night import holds, run
    from bascule.settings import load_settings
    from bascule.store.engine import open_store
    from bascule.store.login_collisions import IdsTakenElsewhere
    from bascule.store.plans import pending_approval

    assert home_cli("import", "--at", "2026-09-01T07:00", *files()).exit_code == 0
    settings, held_on = load_settings(home_cli.home), moment("2026-09-01T02:30")
    campaign.plan_campaign(settings, UAI, now=held_on)
    waiting = pending_approval(open_store(settings.store_url), UAI)
    assert waiting is not None
    holds.hold(settings, UAI, waiting.content_sha256, ("trop de départs",), held_on)
    holds.approve_held_plan(settings, UAI, reason="vérifié", actor="operateur",
                            now=moment("2026-09-01T10:00"))
    really, tries = campaign.apply_saved_plan, []

    def overtaken(*args: object, **kwargs: object) -> object:
        tries.append(kwargs.get("approved_sha256"))
        if len(tries) == 1:
            raise IdsTakenElsewhere([("l.martin", "MARTIN Léa")])
        return really(*args, **kwargs)  # type: ignore[arg-type]
    monkeypatch.setattr(campaign, "apply_saved_plan", overtaken)
    night = run.school_night(home_cli.home, UAI, moment("2026-09-02T02:30"), dry_run=False)
    found = {s.step: s for s in night.steps}
    assert tries[0] == waiting.content_sha256 and len(tries) == 2
    assert found["plan"].status is DONE and "ne s'appliquait plus tel quel" in found["plan"].reason
    assert found["apply"].status is DONE, night
    assert holds.current_hold(settings, UAI) is None


def test_a_plan_another_school_overtook_is_computed_again_before_it_is_held(
        home_cli: Cli, files: Files, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plan over the thresholds, computed before another school of the folder applied: held
    as it was, it would wait for an approval its apply would refuse (newcomer 10b). Computed
    again first, the plan held is one an approval can apply."""
    from bascule.operations.night import holds, run, school

    moved, computed = [True], []
    monkeypatch.setattr(school, "folder_moved_since",
                        lambda *_args: moved.pop() if moved else False)
    really = school.campaign.plan_campaign

    def counted(*args: object, **kwargs: object) -> object:
        computed.append(1)
        return really(*args, **kwargs)  # type: ignore[arg-type]
    monkeypatch.setattr(school.campaign, "plan_campaign", counted)
    monkeypatch.setattr(holds, "reasons_to_hold", lambda *_args: ("trop de départs",))
    _drop(home_cli, files)
    night = run.school_night(home_cli.home, UAI, moment("2026-09-02T02:30"), dry_run=False)
    found = {s.step: s for s in night.steps}
    assert len(computed) == 2 and found["apply"].status is StepStatus.HELD, night
    assert "calculé de nouveau avant d'être retenu" in found["plan"].reason
    assert found["plan"].seconds > 0


def test_a_night_that_applied_nothing_is_unchanged_and_says_what_waits() -> None:
    """A verification run again, a plan computed with nothing to apply: « inchangé », not
    « appliqué »; an import waiting for the next night is said in the summary (newcomer 11)."""
    from bascule.operations.night.run import _outcome
    from bascule.reports.night import SchoolOutcome

    waiting = _step("import", StepStatus.WAITING, "export incomplet : il manque l'export STS-Web")
    only_checked = [waiting, _step("plan", DONE), _step("apply", UNCHANGED, "plan vide"),
                    _step("verify", DONE)]
    outcome, reason = _outcome(only_checked)
    assert outcome is SchoolOutcome.UNCHANGED
    assert reason == ("fait : plan, vérification ; import des exports en attente : export "
                      "incomplet : il manque l'export STS-Web")
    applied, _reason = _outcome([_step("plan", DONE), _step("apply", DONE)])
    assert applied is SchoolOutcome.APPLIED
