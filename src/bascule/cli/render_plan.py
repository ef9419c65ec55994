"""How plans, applies and accounts look: in the terminal (Rich), as JSON and as CSV."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict

from rich.console import Console

from bascule.cli.common import print_table
from bascule.cli.tables import SchoolTable
from bascule.domain.labels import (
    FIELDS,
    change_text,
    count_of,
    done_text,
    label,
    profile_label,
    status_label,
)
from bascule.domain.logins import LoginKind
from bascule.operations.campaign import Action, ActionKind, ApplyOutcome, Held, Plan, PlanPurpose
from bascule.operations.plan_review import (
    DIFFERENCE_COLUMNS,
    difference_cells,
    difference_rows,
    shown_changes,
)
from bascule.operations.school import AccountRow

ACCOUNT_KINDS = (ActionKind.CREATE, ActionKind.UPDATE, ActionKind.MOVE, ActionKind.TRANSFER,
                 ActionKind.DISABLE, ActionKind.REACTIVATE, ActionKind.DELETE)
_SHORT_LABELS = {ActionKind.CREATE: "créer", ActionKind.UPDATE: "màj",
                 ActionKind.MOVE: "changer", ActionKind.TRANSFER: "accueillir",
                 ActionKind.DISABLE: "désactiver",
                 ActionKind.REACTIVATE: "réactiver", ActionKind.DELETE: "supprimer"}
_DETAILS_SHOWN = 20
# `plan --details`: action, nom, identifiant, division, champ, avant, après (the profile, the
# EduConnect login and the key are in --csv and --json: nine columns overflow a terminal).
_DETAIL_COLUMNS = (0, 2, 3, 5, 6, 7, 8)


def _fact_counts(plan: Plan) -> dict[str, dict[str, int]]:
    """Structures apart; memberships, services, PP and guardianships together."""
    facts = Counter((a.kind, a.fact.kind == "structure") for a in plan.actions if a.fact)
    counts = {group: {"add": facts[(ActionKind.ADD, is_structure)],
                      "remove": facts[(ActionKind.REMOVE, is_structure)]}
              for group, is_structure in (("structures", True), ("memberships", False))}
    counts["structures"] |= {"create": len(plan.structures_created),
                             "retire": len(plan.structures_retired)}
    return counts


def summary(plan: Plan) -> dict[str, object]:
    """Counts of accounts per action (every key, even at zero), then structures and facts."""
    accounts = Counter(a.kind for a in plan.actions if a.kind.is_account_action)
    counts: dict[str, object] = {kind.value: accounts[kind] for kind in ACCOUNT_KINDS}
    counts.update(_fact_counts(plan))
    return counts


def _action_json(action: Action) -> dict[str, object]:
    document: dict[str, object] = {
        "kind": action.kind.value, "profile": action.profile, "person": action.person,
        "login": action.login(LoginKind.NETWORK), "educonnect": action.login(LoginKind.EDUCONNECT),
        "label": action.label, "division": action.division,
    }
    if changes := shown_changes(action):
        document["changes"] = [{"field": c.field, "before": c.old, "after": c.new}
                               for c in changes]
        document["differences"] = [{"field": c.field, "label": label(FIELDS, c.field),
                                    "old": c.old, "new": c.new} for c in changes]
    if action.fact:
        document |= {"fact": action.fact.kind, "target": action.fact.target,
                     "detail": action.fact.detail}
    return document


def _held_json(held: Held) -> dict[str, object]:
    where = held.location
    return {"person": held.key, "label": held.label, "known": held.known,
            "reason": held.reason, "hint": held.hint,
            "file": where.file if where else None, "line": where.line if where else None,
            "record": where.record if where else None,
            "until": held.until.isoformat() if held.until else None, "by": held.by,
            "accounts": list(held.accounts), "account_elsewhere": held.account_elsewhere}


def plan_json(plan: Plan) -> str:
    return json.dumps({
        "uai": plan.uai, "school_year": plan.school_year.start, "summary": summary(plan),
        "actions": [_action_json(action) for action in plan.actions],
        "problems": [{"person": p.person, "message": p.message} for p in plan.problems],
        "held": [_held_json(held) for held in plan.held],
        "structures_created": list(plan.structures_created),
        "structures_retired": list(plan.structures_retired),
        "mass_leaves": [{"profile": m.profile, "unexpected": m.unexpected, "active": m.active}
                        for m in plan.mass_leaves],
    }, ensure_ascii=False, indent=2)


def plan_text(console: Console, plan: Plan, *,
              apply_command: str = "bascule apply --yes") -> None:
    console.print(f"[bold]Plan pour {plan.uai}[/] · année scolaire {plan.school_year}")
    if plan.is_empty:
        console.print("Rien à faire : l'annuaire est déjà à jour de la campagne importée.")
    else:
        _per_profile(console, plan)
        _per_division(console, plan)
        _details(console, plan)
    for problem in plan.problems:
        console.print(f"[yellow]À vérifier[/] : {problem.message}", soft_wrap=True)
    held_people(console, plan)
    for leave in plan.mass_leaves:
        why = ("seraient retirés ou désactivés par cette annulation"
               if plan.purpose is PlanPurpose.UNDO else
               "seraient désactivés, hors départs attendus : l'export est peut-être tronqué")
        console.print(f"[bold red]Attention[/] : {leave.unexpected} comptes « "
                      f"{profile_label(leave.profile)} » sur {leave.active} {why}. « apply » le "
                      "refusera sans --allow-mass-leave.",
                      soft_wrap=True)
    if plan.mass_leaves:  # the command to copy is one apply takes (newcomer 10)
        console.print("Relisez ce plan ; si ces départs sont vrais, appliquez-le en les "
                      f"confirmant : {apply_command} --allow-mass-leave --reason "
                      "\"départs vérifiés avec le secrétariat\"", soft_wrap=True)
    elif not plan.is_empty:
        console.print(f"Relisez ce plan, puis appliquez-le : {apply_command}",
                      soft_wrap=True)  # a command to copy: never folded


def held_people(console: Console, plan: Plan) -> None:
    """Who is left exactly as they are, why, where, and what to fix."""
    if not plan.held:
        return
    console.print(f"[bold yellow]{len(plan.held)} personne(s) retenue(s)[/] : laissée(s) telle(s) "
                  "quelle(s) (ni créée(s), ni modifiée(s), ni désactivée(s)) jusqu'à correction "
                  "ou fin de la retenue.",
                  soft_wrap=True)
    for held in plan.held:
        where = f"{held.location} · " if held.location else ""
        console.print(f"  {held.label}{held.account_note} · {where}{held.reason}", highlight=False,
                      soft_wrap=True)
        if held.hint:
            console.print(f"    → {held.hint}", highlight=False, soft_wrap=True)


def _per_profile(console: Console, plan: Plan) -> None:
    counts = Counter((a.kind, a.profile) for a in plan.actions if a.kind.is_account_action)
    if counts:
        table = SchoolTable(title="Comptes, par profil et par action (« changer » : de division)")
        table.add_column("Profil")
        kinds = _kinds_present(kind for kind, _profile in counts)
        for kind in kinds:
            table.add_column(_SHORT_LABELS[kind], justify="right")
        for profile in sorted({profile for _kind, profile in counts}):
            table.add_row(profile_label(profile),
                          *(str(counts[(kind, profile)]) for kind in kinds))
        console.print(table)
    facts = _fact_counts(plan)
    structures, memberships = facts["structures"], facts["memberships"]
    # The structures' own count first (what the apply will say it added), then their codes
    # new to the school and those it no longer has.
    console.print(f"Divisions et groupes de l'année : +{structures['add']} "
                  f"−{structures['remove']} (codes nouveaux dans l'établissement : "
                  f"{_structure_list(plan.structures_created)} ; codes qu'il n'a plus : "
                  f"{_structure_list(plan.structures_retired)}) · "
                  f"appartenances, services, PP, responsables : +{memberships['add']} "
                  f"−{memberships['remove']}",
                  soft_wrap=True)


def _kinds_present(kinds: Iterable[ActionKind]) -> list[ActionKind]:
    """Only the columns of actions the plan holds: seven of them overflow an 80-column
    terminal, and a column of zeros tells nothing."""
    present = set(kinds)
    return [kind for kind in ACCOUNT_KINDS if kind in present]


def _structure_list(codes: tuple[str, ...]) -> str:
    """« aucun », or « 2 (6 Chorale, 6E) »: the first eight codes."""
    if not codes:
        return "aucun"
    shown = ", ".join(code[2:] for code in codes[:8]) + (" …" if len(codes) > 8 else "")
    return f"{len(codes)} ({shown})"


def _per_division(console: Console, plan: Plan) -> None:
    counts = Counter((a.division, a.kind) for a in plan.actions
                     if a.kind.is_account_action and a.profile == "eleve")
    divisions = sorted({division or "" for division, _kind in counts})
    if not divisions:
        return
    table = SchoolTable(title="Élèves, par division (la nouvelle ; l'ancienne pour « désactiver »)")
    table.add_column("Division")
    kinds = _kinds_present(kind for _division, kind in counts)
    for kind in kinds:
        table.add_column(_SHORT_LABELS[kind], justify="right")
    for division in divisions:
        table.add_row(division or "(aucune)",
                      *(str(counts[(division or None, kind)]) for kind in kinds))
    console.print(table)


def _details(console: Console, plan: Plan) -> None:
    for kind in ACCOUNT_KINDS:
        actions = [a for a in plan.actions if a.kind is kind]
        for action in actions[:_DETAILS_SHOWN]:
            logins = " ".join(value for _kind, value in action.logins)
            changes = "; ".join(change_text(c.field, c.old, c.new) for c in action.changes)
            console.print(f"  {kind.label} · {profile_label(action.profile)} · {action.label} "
                          f"{logins} {action.division or ''} {changes}".rstrip(),
                          highlight=False, soft_wrap=True)
        if len(actions) > _DETAILS_SHOWN:
            # `plan --json` computes a new campaign plan: from an undo, it would replace it.
            where = ("la page Plan de la console les montre tous"
                     if plan.purpose is PlanPurpose.UNDO else "bascule plan --json les donne tous")
            console.print(f"  … et {len(actions) - _DETAILS_SHOWN} autres ({kind.label})"
                          f" : {where}.")


def details_table(console: Console, plan: Plan) -> None:
    """Every account action, one line per field it changes (old -> new): `plan --details`."""
    rows = difference_rows(plan)
    table = SchoolTable(title=f"Différences champ par champ ({len(rows)} ligne(s))")
    for index in _DETAIL_COLUMNS:
        table.add_column(DIFFERENCE_COLUMNS[index])
    for row in rows:
        cells = difference_cells(row)
        table.add_row(*(cells[index] for index in _DETAIL_COLUMNS))
    print_table(console, table)


def applied(console: Console, outcome: ApplyOutcome) -> None:
    done = ", ".join([done_text(kind.value, outcome.counts[kind.value])
                      for kind in ACCOUNT_KINDS if outcome.counts.get(kind.value)]
                     + _facts_done(outcome.plan))
    for notice in outcome.notices:
        console.print(f"[bold yellow]Attention[/] : {notice}", soft_wrap=True)
    console.print(f"[bold green]Plan appliqué[/] pour {outcome.plan.uai} : {done or 'rien'}.")
    if outcome.credentials is not None:
        console.print(f"Mots de passe initiaux (à distribuer, puis à détruire) : "
                      f"{outcome.credentials}", soft_wrap=True)
    if outcome.apply_id is not None:
        saved = (f" ; couverte par la sauvegarde {outcome.backup}, déjà prise plus tôt (la "
                 "restaurer reprendrait aussi tout ce qui a été appliqué depuis)"
                 if outcome.backup_shared else
                 f" ; base sauvegardée avant : {outcome.backup}" if outcome.backup else "")
        console.print(f"Application n° {outcome.apply_id} (bascule history){saved}.",
                      soft_wrap=True)


def _facts_done(plan: Plan) -> list[str]:
    """The structures and the links apart, counted as the plan counted them (its « +2564 »);
    the links in the words of every apply's count (labels.done_text)."""
    facts = _fact_counts(plan)
    structures = [count_of(facts["structures"][kind], *_STRUCTURES_DONE[kind])
                  for kind in ("add", "remove") if facts["structures"][kind]]
    return structures + [done_text(kind, facts["memberships"][kind])
                         for kind in ("add", "remove") if facts["memberships"][kind]]


_STRUCTURES_DONE = {"add": ("division ou groupe ajouté", "divisions et groupes ajoutés"),
                    "remove": ("division ou groupe retiré", "divisions et groupes retirés")}


def accounts_json(rows: Sequence[AccountRow]) -> str:
    return json.dumps([_account_dict(row) for row in rows], ensure_ascii=False, indent=2)


def _account_dict(row: AccountRow) -> dict[str, object]:
    document = asdict(row)
    document["birth_date"] = row.birth_date.isoformat() if row.birth_date else None
    document["exit_date"] = row.exit_date.isoformat() if row.exit_date else None
    document["groups"] = list(row.groups)
    return document


def accounts_summary(console: Console, rows: Sequence[AccountRow]) -> None:
    counts = Counter((row.profile, row.status) for row in rows)
    statuses = ("active", "disabled", "deleted")
    table = SchoolTable(title=f"Comptes ({len(rows)}), par profil et par état")
    table.add_column("Profil")
    for status in statuses:
        table.add_column(status_label(status), justify="right")
    for profile in sorted({profile for profile, _status in counts}):
        table.add_row(profile_label(profile),
                      *(str(counts[(profile, status)]) for status in statuses))
    console.print(table)


def accounts_table(console: Console, rows: Sequence[AccountRow]) -> None:
    if not rows:
        console.print("Aucun compte ne correspond.", highlight=False)
        return
    table = SchoolTable(title=f"Comptes ({len(rows)})")
    for column in ("Identifiant", "EduConnect", "Profil", "État", "Nom", "Prénom", "Division"):
        table.add_column(column)
    for row in rows:
        table.add_row(row.login or "", row.educonnect or "", profile_label(row.profile),
                      status_label(row.status),
                      row.last_name, row.first_name, row.division or "")
    print_table(console, table)
