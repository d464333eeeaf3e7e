"""kzunrest: a reproducible report on Kazakhstan's January 2022 unrest (Qandy Qantar).

Modules, one idea each:

* :mod:`kzunrest.data` — load and validate the curated CSVs (``data/datapackage.json``).
* :mod:`kzunrest.analysis` — aggregates behind charts and narrative.
* :mod:`kzunrest.charts` — chart builders (DataFrame in, Altair chart out).
* :mod:`kzunrest.render` — offline rendering of charts and safe text in notebook outputs.
* :mod:`kzunrest.params` — checks for chapter parameters.
* :mod:`kzunrest.build` — the pipeline: validate → execute → assemble → export.
* :mod:`kzunrest.cli` — the ``kzunrest`` command.
"""

__version__ = "0.1.0"
