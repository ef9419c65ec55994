"""`bascule status`: each school of the folder at a glance — its newest campaign, its waiting
plan and its last apply — read without decoding any campaign or plan (a département's folder
holds dozens of schools)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bascule.settings import Settings
from bascule.store.audit import last_applied
from bascule.store.engine import open_store
from bascule.store.plans import pending_approval
from bascule.store.staging import StagedCampaign, staged_campaigns

# The waiting plan, in words (status's « Plan » column)
NO_PLAN, WAITING, APPROVED = "—", "à approuver", "approuvé"


@dataclass(frozen=True, slots=True, kw_only=True)
class SchoolStatus:
    uai: str
    name: str
    campaign: StagedCampaign | None  # the newest imported, if any
    plan: str  # NO_PLAN (none, or one that changes nothing), WAITING or APPROVED
    last_applied: datetime | None


def school_statuses(settings: Settings) -> list[SchoolStatus]:
    """Every school the folder declares, in its order, with or without a campaign."""
    engine = open_store(settings.store_url)
    newest = {campaign.uai: campaign for campaign in staged_campaigns(engine)}  # by id: last wins
    statuses = []
    for school in settings.schools:
        approval = pending_approval(engine, school.uai)
        plan = (NO_PLAN if approval is None or approval.empty
                else APPROVED if approval.approved_by else WAITING)
        statuses.append(SchoolStatus(uai=school.uai, name=school.name,
                                     campaign=newest.get(school.uai), plan=plan,
                                     last_applied=last_applied(engine, school.uai)))
    return statuses
