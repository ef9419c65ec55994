"""Stage 1: official exports (Siècle-BEE, STS-Web) and the local CSV -> records with locations."""
