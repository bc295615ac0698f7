# The SDK as users link it, and what `cmake --install` puts where (docs/design/install.md):
#   bin/msb, bin/msb-runtime
#   lib/libmicrosandbox.so.0 (the public API only), lib/libmicrosandbox.a
#   include/microsandbox/*.h
#   lib/cmake/microsandbox/ (find_package), lib/pkgconfig/microsandbox.pc
#   share/microsandbox/ (the guest kit: kernel, initramfs, agent, base image)
# Every path is relative to the prefix, so an installed tree can be moved as a whole.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The internal static libraries `target` is made of, itself included (ours only: the
# system libraries stay shared).
function(msb_static_closure target out)
  set(found "")
  set(queue ${target})
  while(queue)
    list(POP_FRONT queue current)
    string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" current "${current}")
    if(NOT TARGET ${current} OR current IN_LIST found)
      continue()
    endif()
    get_target_property(imported ${current} IMPORTED)
    get_target_property(type ${current} TYPE)
    if(imported OR NOT type MATCHES "STATIC_LIBRARY|INTERFACE_LIBRARY")
      continue()
    endif()
    list(APPEND found ${current})
    get_target_property(links ${current} INTERFACE_LINK_LIBRARIES)
    if(links)
      list(APPEND queue ${links})
    endif()
  endwhile()
  set(archives "")
  foreach(library ${found})
    get_target_property(type ${library} TYPE)
    if(type STREQUAL "STATIC_LIBRARY")
      list(APPEND archives ${library})
    endif()
  endforeach()
  set(${out} ${archives} PARENT_SCOPE)
endfunction()

# The system libraries a program that links libmicrosandbox.a needs (the shared library
# records them itself). tests/install checks the list by linking a program with it.
set(MSB_STATIC_SYSTEM_LIBS seccomp sqlite3 isal zstd dl)
list(JOIN MSB_STATIC_SYSTEM_LIBS ";" MSB_STATIC_LINK_LIBRARIES)
list(TRANSFORM MSB_STATIC_SYSTEM_LIBS PREPEND "-l" OUTPUT_VARIABLE msb_static_flags)
list(JOIN msb_static_flags " " MSB_STATIC_LINK_FLAGS)
set(MSB_STATIC_LINK_FLAGS "${MSB_STATIC_LINK_FLAGS} -lstdc++")

# libmicrosandbox.so.0: the SDK's code and what it links, exporting only the public API
# (the version script), with no undefined symbol left for the user's link to find.
set(msb_symbol_map ${PROJECT_SOURCE_DIR}/cmake/package/libmicrosandbox.map)
add_library(microsandbox SHARED ${PROJECT_SOURCE_DIR}/src/sdk/shared_library.cc)
target_link_libraries(microsandbox PRIVATE msb_build_flags "$<LINK_LIBRARY:WHOLE_ARCHIVE,msb_sdk>")
target_link_options(microsandbox PRIVATE -Wl,--version-script=${msb_symbol_map}
  -Wl,--no-undefined)
target_include_directories(microsandbox INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
set_target_properties(microsandbox PROPERTIES
  VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib
  LINK_DEPENDS ${msb_symbol_map}
  EXPORT_NAME sdk)
add_library(microsandbox::sdk ALIAS microsandbox)

# libmicrosandbox.a: every internal archive the SDK is made of, merged into one (ar's MRI
# script), so a user links one file.
msb_static_closure(msb_sdk msb_sdk_archives)
set(msb_static_archive ${CMAKE_BINARY_DIR}/lib/libmicrosandbox.a)
set(msb_mri "CREATE ${msb_static_archive}\n")
foreach(archive ${msb_sdk_archives})
  string(APPEND msb_mri "ADDLIB $<TARGET_FILE:${archive}>\n")
endforeach()
string(APPEND msb_mri "SAVE\nEND\n")
file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/lib/libmicrosandbox.mri CONTENT "${msb_mri}")
add_custom_command(OUTPUT ${msb_static_archive}
  COMMAND ${CMAKE_COMMAND} -E rm -f ${msb_static_archive}
  COMMAND sh -c "${CMAKE_AR} -M < ${CMAKE_BINARY_DIR}/lib/libmicrosandbox.mri"
  # Without our debug information: 139 MB -> a fraction, for a library users link.
  COMMAND ${CMAKE_STRIP} --strip-debug ${msb_static_archive}
  DEPENDS ${msb_sdk_archives}
  COMMENT "Merging the SDK's archives into libmicrosandbox.a"
  VERBATIM)
add_custom_target(microsandbox_static ALL DEPENDS ${msb_static_archive})

# --- install rules
install(TARGETS msb msb-server msb-runtime RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS microsandbox EXPORT microsandboxTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${msb_static_archive} DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/microsandbox
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(MSB_BUILD_GUEST)
  set(kit ${CMAKE_BINARY_DIR}/share/microsandbox)
  # The base tree goes as base.tar: unpacked at first use (src/engine/ns/base_tree.h).
  install(FILES ${kit}/vmlinux ${kit}/initramfs.cpio ${kit}/base.erofs ${kit}/base.tar
    DESTINATION ${CMAKE_INSTALL_DATADIR}/microsandbox)
  install(PROGRAMS ${kit}/msb-agentd DESTINATION ${CMAKE_INSTALL_DATADIR}/microsandbox)
endif()

# msb(1), from `msb --help` (help2man): the commands with one line each; `msb CMD --help`
# has the rest.
find_program(HELP2MAN help2man)
if(HELP2MAN)
  set(msb_man_page ${CMAKE_BINARY_DIR}/share/man/man1/msb.1)
  add_custom_command(OUTPUT ${msb_man_page}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/share/man/man1
    COMMAND ${HELP2MAN} --no-info --no-discard-stderr --version-string=${PROJECT_VERSION}
            "--name=run untrusted code in disposable microVM sandboxes"
            --output=${msb_man_page} $<TARGET_FILE:msb>
    DEPENDS msb
    COMMENT "Writing msb(1)"
    VERBATIM)
  add_custom_target(msb_man_page ALL DEPENDS ${msb_man_page})
  install(FILES ${msb_man_page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

set(msb_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/microsandbox)
install(EXPORT microsandboxTargets NAMESPACE microsandbox:: DESTINATION ${msb_cmake_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/package/microsandboxConfig.cmake.in
  ${CMAKE_BINARY_DIR}/package/microsandboxConfig.cmake INSTALL_DESTINATION ${msb_cmake_dir})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/package/microsandboxConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/package/microsandboxConfig.cmake
  ${CMAKE_BINARY_DIR}/package/microsandboxConfigVersion.cmake DESTINATION ${msb_cmake_dir})
file(RELATIVE_PATH MSB_PC_TO_PREFIX ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" MSB_PC_TO_PREFIX "${MSB_PC_TO_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/package/microsandbox.pc.in
  ${CMAKE_BINARY_DIR}/package/microsandbox.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/package/microsandbox.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# --- the Debian package: `cpack --config build/CPackConfig.cmake` -> msb_<version>_amd64.deb,
# the whole install under /usr, binaries stripped, the kernel as built here.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME msb)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "microsandbox maintainers <maintainers@microsandbox.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Run untrusted code in microVM sandboxes: CLI, C++ SDK, guest kit")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)
# ldconfig after install and removal, for libmicrosandbox.so.0 (CPack's own GENERATE_SHLIBS
# stops at the same busybox links as dpkg-shlibdeps, below).
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/cmake/package/triggers)
# The shared libraries msb, msb-runtime and libmicrosandbox.so name (readelf -d: NEEDED), what
# they open at first use (libcurl, libarchive, libcrypto: src/image/*_api.cc,
# src/os/libcrypto_api.cc) and the programs they run: QEMU, mkfs.erofs, mkfs.ext4, e2fsck,
# resize2fs. Listed by hand: dpkg-shlibdeps, through CPack, stops at the busybox applet
# links of the base image ("[", "[["). tests/install/deb_test.sh installs the package with
# apt into a bare Debian and runs it, which is what proves the list.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "libc6 (>= 2.34), libstdc++6 (>= 12), libgcc-s1, libseccomp2, libsqlite3-0, libisal2, libzstd1, \
libslirp0, libcurl4, libarchive13, libssl3, qemu-system-x86, erofs-utils, e2fsprogs")
include(CPack)
