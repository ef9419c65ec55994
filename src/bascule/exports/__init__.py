"""Stage 1: official exports (Siècle-BEE, STS-Web) and the local CSV -> records with locations.
Imports bascule.errors and lxml (no entity expansion, no network), nothing else of bascule."""
