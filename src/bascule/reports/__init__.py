"""Documents for school users: the quality report (HTML), credentials and slips (PDF), rendered
from pure values (Jinja2, fpdf2). Imports plan, snapshot, domain and errors, never the store."""
