"""What the terminal says when a command cannot go on: a user's mistake (what, where, what to
do), a file or folder refused by the system, a command line written wrong, a bug. Light on
purpose: the error boundary of every command imports it, `bascule version` included."""

from __future__ import annotations

import errno

from rich.console import Console
from rich.markup import escape

from bascule.cli.usage import usage_message
from bascule.errors import STORE_BUSY, STORE_BUSY_HINT, ImportRejected, UserError, is_store_busy


def user_error(console: Console, exc: UserError, max_shown: int = 50) -> None:
    if isinstance(exc, ImportRejected):
        from bascule.cli.render import problems  # the import's report: only when it failed

        problems(console, exc.problems, max_shown)
    where = f"{exc.location} : " if exc.location else ""
    # The message and hint are text, not markup: « [mail] » or « [schools."UAI"] » must show.
    console.print(f"[bold red]Erreur[/] : {escape(where + exc.message)}", highlight=False,
                  soft_wrap=True)
    if exc.hint:
        console.print(f"  → {escape(exc.hint)}", highlight=False, soft_wrap=True)


_OS_ERRORS = {
    errno.EACCES: "accès refusé", errno.EPERM: "opération interdite",
    errno.ENOSPC: "disque plein", errno.EROFS: "disque en lecture seule",
    errno.ENOENT: "introuvable", errno.ENOTDIR: "n'est pas un dossier",
    errno.EISDIR: "est un dossier", errno.EEXIST: "existe déjà",
}


def file_error(console: Console, exc: OSError) -> None:
    what = _OS_ERRORS.get(exc.errno or 0, exc.strerror or str(exc))
    where = f" « {exc.filename} »" if exc.filename else ""
    console.print(f"[bold red]Erreur[/] : fichier ou dossier{where} : {what}. Rien n'a été "
                  "enregistré pour l'étape en cours.", highlight=False, soft_wrap=True)
    console.print("  → Vérifiez le chemin, les droits d'écriture et la place sur le disque.",
                  highlight=False, soft_wrap=True)


def internal_error(console: Console, exc: Exception) -> None:
    if is_store_busy(exc):
        console.print(f"[bold red]Erreur[/] : {STORE_BUSY}", highlight=False, soft_wrap=True)
        console.print(f"  → {STORE_BUSY_HINT}", highlight=False, soft_wrap=True)
        return
    console.print(f"[bold red]Erreur interne[/] ({type(exc).__name__}) : ce n'est pas une erreur "
                  "de votre part. Rien n'a été enregistré pour l'étape en cours.",
                  highlight=False, soft_wrap=True)
    console.print("  → Relancez la commande avec --debug et transmettez le résultat à l'équipe "
                  "technique.", highlight=False, soft_wrap=True)


def usage_error(console: Console, exc: Exception) -> None:
    """A mistyped command, in French: what is wrong, and where to see how to write it."""
    context = getattr(exc, "ctx", None)
    command = context.command_path if context is not None else "bascule"
    console.print(f"[red]Erreur[/] : {escape(usage_message(exc))}.", highlight=False)
    console.print(f"  → {command} --help montre comment l'écrire.", highlight=False)
