"""The web console: server-rendered pages in French (pages/, one router per section of the menu)
and the REST API (api/, one router per resource), assembled by app.create_app; what every
request goes through is requests.py. Works without JavaScript. Imports bascule.operations (with
domain values, errors, settings) only."""
