"""Presenting a run to people: figures, the HTML report, and the run they both read.

Everything here turns a finished run into something an owner can look at — PNG figures in one
house style (:mod:`.style`, :mod:`.figures`) and a self-contained report page rendered from a
jinja2 template (:mod:`.report`, :mod:`.report_data`, ``templates/``). It asks of a run only what
:class:`~autosim.present.protocol.RunLike` names, so it serves a run in memory and one re-read
from its output folder alike, and it never imports the layers that produce runs.
"""
