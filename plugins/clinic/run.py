"""Run the site's Pelican build and get its Build back: what tools/build.py,
the reports and the dev server call instead of reaching into the plugin."""

from __future__ import annotations

from pelican import Pelican

from .state import Build, Session


class SiteRun(Pelican):
    """Pelican, with the session the plugin's Build is to use (state.py)."""

    def __init__(self, settings, session: Session | None = None):
        self.clinic_session = session
        self.clinic_build: Build | None = None
        super().__init__(settings)


def run(settings, session: Session | None = None) -> Build | None:
    """Build the site; its Build (None if the plugin never started). An
    exception from Pelican is raised with the Build in its `clinic_build`."""
    site = SiteRun(settings, session)
    try:
        site.run()
    except BaseException as exc:
        exc.clinic_build = site.clinic_build
        raise
    return site.clinic_build
