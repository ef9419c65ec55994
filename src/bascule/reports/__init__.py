"""Documents for school users (HTML), rendered from pure values with Jinja2 templates."""
