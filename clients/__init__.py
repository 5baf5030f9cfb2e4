"""The sources of hpcsim's C, C++ and Fortran clients, shipped as package data
(``hpcsim.clients_src``) and built by ``hpcsim clients build``; nothing here is Python."""
