"""/verification: the store, the targets and the spaces compared now."""

from fastapi import APIRouter
from pydantic import BaseModel

from bascule.operations import verification as verify_ops
from bascule.web.requests import Reader

router = APIRouter()


class Verification(BaseModel):
    counts: dict[str, int]
    findings: list[dict[str, object]]


@router.get("/verification", response_model=Verification)
def verification(who: Reader) -> Verification:
    result = verify_ops.run_verification(who.settings, who.school, now=who.now())
    return Verification(counts=verify_ops.counts(result.findings),
                        findings=[f.as_json() for f in result.findings])
