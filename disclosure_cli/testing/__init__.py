"""Test and benchmark helpers: synthetic reports rendered from the format declarations.

For tests, fixtures and benchmarks only: the runtime (parsing, auditing, the CLI) never imports this
package. :mod:`disclosure_cli.testing.synth` renders random consistent reports in every shape seen
in the wild; ``python -m disclosure_cli.testing.synth DIR`` writes the bundled synthetic fixtures.
"""
