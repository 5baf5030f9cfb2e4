"""hpcsim's examples, shipped in the wheel as ``hpcsim.examples`` so ``hpcsim demo`` can run them."""
