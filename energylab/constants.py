"""Physical constants and unit factors, SI throughout.

Physical constants come from ``scipy.constants`` (CODATA 2018; the 2019 SI fixes
k_B, e and h exactly) :cite:p:`codata2018`. Unit factors are definitions (NIST SP 811)
:cite:p:`nist_sp811`. Conversions for people (kWh, MWh, pJ) belong in notebooks and plots;
models take and return SI units.
"""

from scipy import constants as _sc

#: Boltzmann constant k_B in J/K (exact since the 2019 SI redefinition).
BOLTZMANN_J_PER_K = _sc.Boltzmann
#: Elementary charge e in C (exact).
ELEMENTARY_CHARGE_C = _sc.elementary_charge
#: Planck constant h in J·s (exact).
PLANCK_J_S = _sc.Planck
#: Natural logarithm of 2, the entropy of one bit in units of k_B.
LN2 = 0.6931471805599453

#: Seconds per hour, day and (Julian) year.
SECONDS_PER_HOUR = 3600.0
SECONDS_PER_DAY = 86400.0
SECONDS_PER_YEAR = _sc.Julian_year  # 365.25 days
#: Hours in a 365-day year, the convention for the annual energy of a constant load
#: (a facility drawing 1 MW all year uses 8,760 MWh).
HOURS_PER_YEAR = 8760.0

#: Joules per watt-hour, kilowatt-hour, megawatt-hour, gigawatt-hour.
J_PER_WH = 3600.0
J_PER_KWH = 3.6e6
J_PER_MWH = 3.6e9
J_PER_GWH = 3.6e12
#: Joules per electronvolt (exact).
J_PER_EV = _sc.electron_volt

#: Litres in one US gallon, exactly 231 cubic inches.
LITRES_PER_US_GALLON = 3.785411784

#: SI prefixes used when turning joules into readable units.
PICO = 1e-12
NANO = 1e-9
FEMTO = 1e-15
ZEPTO = 1e-21
TERA = 1e12
PETA = 1e15

#: Degrees Celsius to kelvin offset.
ZERO_CELSIUS_K = _sc.zero_Celsius

# --- Chapter 2 (thermo): radiation, Koomey's law, GPT-3 anchor ----------------------

#: Stefan–Boltzmann constant σ in W/(m²·K⁴) (derived from exact SI constants) :cite:p:`codata2018`.
STEFAN_BOLTZMANN_W_PER_M2_K4 = _sc.Stefan_Boltzmann
#: Nominal effective temperature of the Sun's photosphere, IAU 2015 Resolution B3 :cite:p:`prsa2016`.
SUN_EFFECTIVE_TEMPERATURE_K = 5772.0
#: Koomey's law: computations per joule doubled every 1.57 years, 1946–2009 :cite:p:`koomey2011`.
KOOMEY_DOUBLING_YEARS = 1.57
#: The slower doubling of peak-output efficiency after 2000, about 2.6 years :cite:p:`koomey2016`.
KOOMEY_DOUBLING_YEARS_POST2000 = 2.6
#: GPT-3 (175B) training electricity, 1,287 MWh (facility, PUE 1.1) :cite:p:`patterson2021`.
GPT3_TRAINING_ENERGY_J = 1287.0 * J_PER_MWH
