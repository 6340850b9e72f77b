# `find_package(lutgemm)`: installs the core library (quantizers, packed formats, the export
# writer, everything under tuner/ and baselines/), its headers, the kernel sources and the
# generated build_info.hpp, with an exported target lutgemm::core and a package config + version
# file in <prefix>/lib/cmake/lutgemm. Headers keep the project's include paths:
#   <prefix>/include/lutgemm/quant/bcq.hpp          (tuner/quant/bcq.hpp:  #include "quant/bcq.hpp")
#   <prefix>/include/lutgemm/kernels/lutgemm.cuh   (kernels/lutgemm.cuh)
#   <prefix>/include/lutgemm/baselines/...         (baselines/)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(LUTGEMM_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/lutgemm)
set(LUTGEMM_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/lutgemm)

target_include_directories(lutgemm_core PUBLIC
  $<INSTALL_INTERFACE:${LUTGEMM_INSTALL_INCLUDEDIR}>)
set_target_properties(lutgemm_core PROPERTIES EXPORT_NAME core)
set_target_properties(lutgemm_warnings PROPERTIES EXPORT_NAME warnings)
set_target_properties(lutgemm_sanitizers PROPERTIES EXPORT_NAME sanitizers)

# The two interface targets travel with the core: a static library's private link items are part
# of its link interface ($<LINK_ONLY:...>), and the sanitizer flags must reach a consumer's link.
install(TARGETS lutgemm_core lutgemm_warnings lutgemm_sanitizers EXPORT lutgemmTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
# The headers of the library's modules (not of the command, the benchmark or the emulated driver,
# which are not in it).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/tuner/ DESTINATION ${LUTGEMM_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h"
        PATTERN "cli" EXCLUDE PATTERN "bench" EXCLUDE PATTERN "emu_driver" EXCLUDE)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/baselines/ DESTINATION ${LUTGEMM_INSTALL_INCLUDEDIR}/baselines
        FILES_MATCHING PATTERN "*.hpp")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/kernels/ DESTINATION ${LUTGEMM_INSTALL_INCLUDEDIR}/kernels
        FILES_MATCHING PATTERN "*.cuh" PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/generated/build_info.hpp
        DESTINATION ${LUTGEMM_INSTALL_INCLUDEDIR})

install(EXPORT lutgemmTargets NAMESPACE lutgemm:: DESTINATION ${LUTGEMM_INSTALL_CMAKEDIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/lutgemmConfig.cmake.in
  ${PROJECT_BINARY_DIR}/generated/lutgemmConfig.cmake
  INSTALL_DESTINATION ${LUTGEMM_INSTALL_CMAKEDIR} PATH_VARS LUTGEMM_INSTALL_INCLUDEDIR)
# 0.x: a minor version may break the API, so only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/generated/lutgemmConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/generated/lutgemmConfig.cmake
              ${PROJECT_BINARY_DIR}/generated/lutgemmConfigVersion.cmake
        DESTINATION ${LUTGEMM_INSTALL_CMAKEDIR})
