import matplotlib

# Tests draw off-screen. (Do not set MPLBACKEND in os.environ: notebook kernels started
# by nbval inherit it and would stop displaying inline figures.)
matplotlib.use("Agg")
