"""Name pools that exercise every rule: accents, ligatures (Œ, æ), apostrophes, hyphens, particles,
long names, names of many origins as Siècle stores them (ISO-8859-15 only: no ễ, no ł)."""

from __future__ import annotations

import random
import unicodedata

FAMILY_NAMES = (
    "MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY",
    "MOREAU", "SIMON", "LAURENT", "LEFÈVRE", "MICHEL", "GARCIA", "DAVID", "BERTRAND", "ROUX",
    "VINCENT", "FOURNIER", "MOREL", "GIRARD", "ANDRÉ", "LEFEBVRE", "MERCIER", "DUPONT",
    "LAMBERT", "BONNET", "FRANÇOIS", "MARTINEZ", "LEGRAND", "GARNIER", "FAURE", "ROUSSEAU",
    "BLANC", "GUÉRIN", "MULLER", "HENRY", "ROUSSEL", "NICOLAS", "PERRIN", "MORIN", "MATHIEU",
    "CLÉMENT", "GAUTHIER", "DUMONT", "LOPEZ", "FONTAINE", "CHEVALIER", "ROBIN", "BOUCHER",
    "D'ALMEIDA", "N'DIAYE", "N'GUESSAN", "D'ARTAGNAN", "LE GOFF", "LE GALL", "LE BIHAN",
    "DE LA FONTAINE", "DE SOUSA", "DA SILVA", "DOS SANTOS", "VAN DER BERG", "MAC ARTHUR",
    "MARTIN-DUPONT", "LEROY-BEAULIEU", "SAINT-CLAIR", "CŒUR", "BŒUF", "ŒHMICHEN",
    "DE SAINT-EXUPÉRY-MONTMORENCY", "VAN DEN BROECK-DUMOULIN", "HOÀNG", "NGUYEN", "TRAN",
    "BEN SAÏD", "BENALI", "EL AMRANI", "HADDAD", "KOWALSKI", "NOWAK", "WIŚNIEWSKI", "YILMAZ",
    "ÖZTÜRK", "DIALLO", "TRAORÉ", "KONÉ", "SCHNEIDER", "O'CONNOR", "MÜLLER", "JEAN-BAPTISTE",
    "ÇELIK", "GONÇALVES", "ÉTIENNE", "ÉMERY", "HÉBERT", "NOËL", "JOLY", "LÉGER", "BÉNARD",
)
GIRL_NAMES = (
    "Léa", "Emma", "Chloé", "Manon", "Inès", "Jade", "Louise", "Zoé", "Lina", "Camille",
    "Maëlys", "Anaïs", "Noémie", "Éloïse", "Lætitia", "Aïcha", "Yasmine", "Fatoumata", "Mélissa",
    "Agathe", "Clémence", "Héloïse", "Maïwenn", "Anne-Sophie", "Marie-Ève", "Océane", "Sarah",
    "Juliette", "Romane", "Ambre", "Lou", "Nour", "Aya", "Maria", "Ana", "Hélène", "Bérénice",
)
BOY_NAMES = (
    "Lucas", "Hugo", "Louis", "Nathan", "Gabriel", "Jules", "Adam", "Raphaël", "Arthur", "Noé",
    "Théo", "Enzo", "Maël", "Mathéo", "Timothée", "Jérôme", "François", "Loïc", "Noël", "Joël",
    "Jean-Baptiste", "Pierre-Louis", "Mohamed", "Youssef", "Ibrahima", "Kylian", "Rayan",
    "Sacha", "Aurélien", "Benoît", "Clément", "Étienne", "Célestin", "Anh", "Mehmet", "Iñaki",
)
# Characters of the pools that ISO-8859-15 cannot hold are transliterated as Siècle would.
_LATIN9_FALLBACK = str.maketrans({"Ś": "S", "ś": "s"})


def latin9(text: str) -> str:
    """The name as an ISO-8859-15 system stores it."""
    try:
        text.encode("iso-8859-15")
        return text
    except UnicodeEncodeError:
        return text.translate(_LATIN9_FALLBACK).encode("iso-8859-15", "replace").decode(
            "iso-8859-15")


def family_name(rng: random.Random) -> str:
    return latin9(rng.choice(FAMILY_NAMES))


def first_name(rng: random.Random, female: bool) -> str:
    return latin9(rng.choice(GIRL_NAMES if female else BOY_NAMES))


def email_of(first: str, last: str, rng: random.Random) -> str:
    """A made-up address on the reserved example domain."""

    def ascii_part(text: str) -> str:
        plain = unicodedata.normalize("NFKD", text.replace("Œ", "OE").replace("œ", "oe")
                                      .replace("æ", "ae"))
        return "".join(c for c in plain.lower() if c.isalnum())

    return f"{ascii_part(first)}.{ascii_part(last)}{rng.randint(1, 99)}@example.fr"
