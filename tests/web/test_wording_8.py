"""Wording the newcomer of the eighth session found (fault 13): « de le groupe »."""

from __future__ import annotations

import html

from tests.conftest import Cli
from tests.web.test_password_tool import _referent


def test_a_group_is_said_du_groupe(school: Cli) -> None:
    referent, _csrf = _referent(school)
    asked = referent.get("/mots-de-passe/structure", params={"code": "6LV1 ANG"})
    assert asked.status_code == 200, asked.text
    said = " ".join(html.unescape(asked.text).split())
    assert "élève(s) actifs du groupe 6LV1 ANG recevront" in said
    assert "aux " in said and "élève(s) du groupe 6LV1 ANG</button>" in said
    assert "de le groupe" not in said
