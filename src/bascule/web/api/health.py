"""/sante: for the département's monitoring."""

from fastapi import APIRouter

router = APIRouter()


@router.get("/sante")
def health() -> dict[str, str]:
    """For the département's monitoring: the console answers (no token, nothing read)."""
    return {"etat": "ok"}
