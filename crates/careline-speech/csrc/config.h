/* PocketSphinx's config.h, written by hand for CareLine's build.rs in place of the one its
 * CMakeLists.txt generates from config.h.in. The values are those CMake finds on the Linux
 * targets CareLine runs on (glibc, LP64); build.rs refuses other targets rather than guess. */

/* Floating-point front end and acoustic scoring, as the upstream default (FIXED_POINT off). */
/* #undef FIXED_POINT */
#define DEFAULT_RADIX 12

#define HAVE_LONG_LONG 1
#define HAVE_POPEN 1
#define HAVE_SNPRINTF 1
#define HAVE_SYS_STAT_H 1
#define HAVE_SYS_TYPES_H 1
#define HAVE_UNISTD_H 1
#define HAVE_INTTYPES_H 1
#define HAVE_STDINT_H 1
#define SIZEOF_LONG 8
#define SIZEOF_LONG_LONG 8

#if defined __BIG_ENDIAN__
#  define WORDS_BIGENDIAN
#endif

#define PACKAGE_BUGREPORT "dhdaines@gmail.com"
#define PACKAGE_NAME "PocketSphinx"
#define PACKAGE_STRING "PocketSphinx 5.1.1"
#define PACKAGE_TARNAME "pocketsphinx-5.1.1"
#define PACKAGE_URL "https://github.com/cmusphinx/pocketsphinx"
#define PACKAGE_VERSION "5.1.1"
