"""Calibration of the assumed parameters to the observed record (issue 16).

History matching (McCulloch et al. 2022, JASSS 25(2) 1) rules out implausible regions of the
priors with a Latin hypercube wave; ABC-SMC (Toni et al. 2009, through pyabc) then fits the
remaining space. One file per idea:

- :mod:`sim.fitting.config`: the committed calibration config (``calib/NAME/config.toml``);
- :mod:`sim.fitting.priors`: priors from the parameter table's ranges, and the fit scale (normal scores);
- :mod:`sim.fitting.summaries`: observed and simulated summary statistics (counts, shapes, shares and
  validate's patterns), and the distance;
- :mod:`sim.fitting.simulate`: one run of the model at a parameter vector, crash-safe;
- :mod:`sim.fitting.history_matching`: the first wave;
- :mod:`sim.fitting.abc`: ABC-SMC with pyabc, resumable;
- :mod:`sim.fitting.proposal`: ABC-SMC's proposal (one Gaussian on the fit scale);
- :mod:`sim.fitting.ledger`: every call of the command on a folder, for the whole calibration's time;
- :mod:`sim.fitting.report`: particles table, manifest, report and figures;
- :mod:`sim.fitting.posterior`: weighted draws for scenario runs over the posterior;
- :mod:`sim.fitting.command`: ``insim calibrate``.
"""
