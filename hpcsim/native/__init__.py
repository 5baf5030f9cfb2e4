"""hpcsim's native (C, C++, Fortran) clients: building the shipped sources with a site's
compilers and telling Makefiles how to compile and link against them (:mod:`hpcsim.native.build`)."""
