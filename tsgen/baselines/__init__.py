"""The DG paper's baselines: AR, RNN, HMM, naive GAN, TimeGAN, RCGAN and the Market Simulator, one module each."""
