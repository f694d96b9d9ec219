# CMake toolchain file for LibOS programs: cmake -DCMAKE_TOOLCHAIN_FILE=<this file>
#
# It cross-compiles with occlum-gcc/occlum-g++ and LLVM's binutils under
# their occlum-* names (they must be on PATH, as `make build` leaves them in
# bin/; or set OCCLUM_BIN to that directory). Programs are wasm32 modules
# that run inside the LibOS, never on the build machine: try_run results
# must be given (-D...) or come from the cache.
#
# CMake 3.25 has no WASI platform: the system is Generic, with UNIX set,
# because libocclum gives programs the POSIX interfaces CMakeLists files
# select with if(UNIX).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
set(UNIX 1)

if(DEFINED ENV{OCCLUM_BIN})
  set(_occlum_bin "$ENV{OCCLUM_BIN}/")
else()
  set(_occlum_bin "")
endif()
set(CMAKE_C_COMPILER "${_occlum_bin}occlum-gcc")
set(CMAKE_CXX_COMPILER "${_occlum_bin}occlum-g++")
set(CMAKE_AR "${_occlum_bin}occlum-ar" CACHE FILEPATH "ar")
set(CMAKE_RANLIB "${_occlum_bin}occlum-ranlib" CACHE FILEPATH "ranlib")
set(CMAKE_NM "${_occlum_bin}occlum-nm" CACHE FILEPATH "nm")
set(CMAKE_STRIP "${_occlum_bin}occlum-strip" CACHE FILEPATH "strip")

# Statically linked: no shared libraries, no rpath.
set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS FALSE)
set(BUILD_SHARED_LIBS OFF CACHE BOOL "LibOS programs link statically")
set(CMAKE_SKIP_RPATH ON)
# The compiler checks link a program, which works: no need to skip them.

# Headers and libraries come from the wasm sysroot, never the host's.
set(CMAKE_FIND_ROOT_PATH /usr/lib/wasm32-wasi /usr/include/wasm32-wasi)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
