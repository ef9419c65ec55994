"""What each choice of a review case would do, in French, for the person who decides."""

from __future__ import annotations

from bascule.plan.model import Candidate, Choice, ReviewCase

# In a case's reason when the account went to another person of the export (plan/matching.py):
# it does not stay as it is, and « même personne » would give one account to two people.
TAKEN = "compte déjà attribué à"


def what_each_choice_does(case: ReviewCase) -> dict[Choice, str]:
    """For "same person", one sentence per candidate account; then the two other choices."""
    follows = " ; ou ".join(_same(case, candidate) for candidate in case.candidates)
    return {
        Choice.SAME: follows,
        Choice.DIFFERENT: f"{case.label} reçoit un nouveau compte ; "
                          + ", ".join(_account(c) for c in case.candidates)
                          + " reste tel quel (désactivé seulement s'il n'est plus dans l'export)",
        Choice.NOT_YET: f"rien ne change : {case.label} reste en attente (aucun compte créé ni "
                        "donné) ; " + ", ".join(_account(c) for c in case.candidates)
                        + (" reste à l'autre personne nommée dans le motif"
                           if TAKEN in case.reason else " reste tel quel"),
    }


def _account(candidate: Candidate) -> str:
    login = f" ({candidate.login})" if candidate.login else ""
    return f"le compte de {candidate.label}{login}"


def _same(case: ReviewCase, candidate: Candidate) -> str:
    if candidate.taken_by:
        return (f"refusé : {_account(candidate)} est celui de {candidate.taken_by}, présent "
                "dans l'export")
    where = f" venu de {candidate.school}" if candidate.school else ""
    return (f"{_account(candidate)}{where} devient celui de {case.label}"
            + (f" en {case.division}" if case.division else "")
            + " : identifiant et mot de passe gardés, nom et identifiants mis à jour")
