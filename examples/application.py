"""A stand-in simulation: reads its configured inputs and 'integrates' for STEPS steps."""

from pathlib import Path

values = {}
for line in Path("configure_inputs.txt").read_text().splitlines():
    key, _, value = line.partition("=")
    values[key.strip()] = float(value)
energy = 0.0
for step in range(int(values["STEPS"])):
    energy += values["THERMO"] * 0.5**step
print(f"THERMO={values['THERMO']:g} STEPS={int(values['STEPS'])} energy={energy:.6f}")
