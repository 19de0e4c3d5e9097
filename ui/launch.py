"""How the app is started: ``python -m ui.launch [streamlit options]``.

It is ``streamlit run app.py [options]`` in this same process, with one thing set first.
Streamlit 1.67 decides once per server process whether an app is an old-style multipage
app: the first ``AppSession`` builds a ``PagesManager``, whose ``__init__`` sets the
class attribute ``PagesManager.uses_pages_directory`` to "a ``pages/`` folder lies beside
the main script" while it is still ``None``, and the script runner then runs every run
through that folder (``_mpa_v1``) instead of ``app.py`` until some run calls
``st.navigation``, which sets it to ``False`` for good. This project has a ``pages/``
folder *and* drives it with ``st.navigation`` in ``app.py``, so under a bare
``streamlit run app.py`` the first run after every restart starts wrong and
``ui.navigation.run_through_app`` must repair it with a rerun — the fragile step (it
re-sends widget states through Streamlit's internals; a click arriving during it was once
lost on a loaded machine). Setting the flag to ``False`` before the server starts, so
before any session exists, makes that first run an ordinary one; ``run_through_app``
stays for a bare ``streamlit run app.py``.

Every way this project starts the app uses this module: ``make run``, the unit file
``deploy/systemd/tqi-app@.service`` (and so ``scripts/cluster.sh`` and
``bench/viewer_layouts.py``), and ``tests/e2e.py``'s ``streamlit_server``
(``tests/test_e2e_launcher.py`` shows the first run taking one run here, two without).
"""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"


def main(options: list[str] | None = None) -> None:
    """Run Streamlit's own command line on ``app.py`` with ``options`` (default: argv)."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    if not hasattr(PagesManager, "uses_pages_directory"):  # a Streamlit that decides otherwise
        raise RuntimeError(
            "streamlit's PagesManager.uses_pages_directory is gone: see ui/launch.py"
        )
    PagesManager.uses_pages_directory = False
    arguments = sys.argv[1:] if options is None else options
    # prog_name as ``python -m streamlit`` sets it: Streamlit reads its own command line.
    cli.main(["run", str(APP), *arguments], prog_name="streamlit")


if __name__ == "__main__":
    main()
