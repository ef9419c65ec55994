"""/revue: the review queue of identities (correlation cases), and a person's decision."""

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from bascule.operations import reviews as review_ops
from bascule.web.requests import Pilot, Reader, api_refusal

router = APIRouter()


class Indice(BaseModel):
    attribut: str
    accord: str  # same, folded, different, unknown
    export: str
    annuaire: str


class Candidat(BaseModel):
    cle: str
    nom: str
    identifiant: str | None
    etablissement: str | None
    conclusion: str  # certain, probable, none, conflict
    regle: str
    # « NOM Prénom (eleve:…) » : la personne de l'export à qui le plan donne ce compte avec
    # certitude (« même personne » est alors refusé)
    attribue_a: str | None = None
    indices: list[Indice]


class Cas(BaseModel):
    numero: int
    personne: str
    nom: str
    etat: str  # open, resolved, closed
    motif: str
    decision: str | None
    decide_par: str | None
    decide_le: datetime | None
    candidats: list[Candidat]
    effets: dict[str, str]  # what each choice would do, in French


class Decision(BaseModel):
    decision: str  # meme, different, pas-encore, annuler
    compte: str | None = None


def _cas(case: review_ops.StoredCase) -> Cas:
    review = case.review
    return Cas(
        numero=case.number, personne=case.person, nom=case.label, etat=case.status,
        motif=review.reason, decision=case.choice.value if case.choice else None,
        decide_par=case.decided_by, decide_le=case.decided_at,
        candidats=[Candidat(cle=c.key, nom=c.label, identifiant=c.login,
                            etablissement=c.school, conclusion=c.decision.value, regle=c.rule,
                            attribue_a=c.taken_by,
                            indices=[Indice(attribut=e.attribute.label,
                                            accord=e.agreement.value, export=e.newcomer,
                                            annuaire=e.known) for e in c.evidence])
                   for c in review.candidates],
        effets={choice.value: text
                for choice, text in review_ops.what_each_choice_does(review).items()})


@router.get("/revue", response_model=list[Cas])
def reviews(who: Reader) -> list[Cas]:
    return [_cas(case) for case in review_ops.list_reviews(who.settings, who.school)]


@router.post("/revue/{numero}/decision", response_model=Cas)
def decide(numero: int, body: Decision, who: Pilot) -> Cas:
    with api_refusal():
        if body.decision == "annuler":
            review_ops.reverse_review(who.settings, who.school, str(numero),
                                      by=who.person.login, actor=who.person.login,
                                      now=who.now())
        else:
            review_ops.resolve_review(who.settings, who.school, str(numero),
                                      review_ops.choice_named(body.decision),
                                      candidate=body.compte, by=who.person.login,
                                      actor=who.person.login, now=who.now())
        return _cas(review_ops.show_review(who.settings, who.school, str(numero)))
