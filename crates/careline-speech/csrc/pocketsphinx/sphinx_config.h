/* PocketSphinx's public sphinx_config.h, written by hand for CareLine's build.rs in place of
 * the one CMake generates from sphinx_config.h.in; it must agree with ../config.h. */

/* #undef FIXED_POINT */
#define DEFAULT_RADIX 12

#ifndef HAVE_STDINT_H
#define HAVE_STDINT_H 1
#endif

#define SIZEOF_LONG 8

#ifndef HAVE_LONG_LONG
#define HAVE_LONG_LONG 1
#endif

#define SIZEOF_LONG_LONG 8

/* #undef SPHINX_DEBUG */
