# CPack: one Debian package per service, plus kerjasosial-common (the tools
# every deployment uses). From a release build:
#   cmake --preset release && cmake --build --preset release
#   cd build/release && cpack -G DEB
# gives kerjasosial-{common,cases,placements,supervision,reporting}_<ver>_<arch>.deb.
#
# A service package installs /usr/bin/kerjasosial-<service>, its hardened
# systemd unit, its sample configuration and its operator guide; its
# postinst creates the `kerjasosial` system user and /etc/kerjasosial and
# copies the sample configuration there when none exists. Nothing starts
# on install: the operator configures, then `systemctl enable --now`.
include(GNUInstallDirs)

set(KS_SERVICES cases placements supervision reporting)
set(KS_AGENCY_cases "Kejaksaan (Kejari)")
set(KS_AGENCY_placements "Pemerintah Daerah")
set(KS_AGENCY_supervision "Bapas")
set(KS_AGENCY_reporting "the national team")

# kerjasosial-common: token minting, audit verification, ksctl, the Redis
# unit and configuration, the backup and development-CA scripts.
install(TARGETS kerjasosial-token kerjasosial-audit
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT common)
install(PROGRAMS deploy/redis-backup.sh DESTINATION ${CMAKE_INSTALL_BINDIR}
  RENAME kerjasosial-redis-backup COMPONENT common)
install(PROGRAMS deploy/make-dev-ca.sh DESTINATION ${CMAKE_INSTALL_BINDIR}
  RENAME kerjasosial-make-dev-ca COMPONENT common)
install(FILES deploy/systemd/kerjasosial-redis@.service
  DESTINATION lib/systemd/system COMPONENT common)
install(FILES deploy/redis.conf deploy/README.md
  DESTINATION share/doc/kerjasosial-common/examples COMPONENT common)
# The guide every agency's guide starts from.
install(FILES docs/operators/README.md
  DESTINATION share/doc/kerjasosial-common RENAME operators.md COMPONENT common)
# ksctl's own install rule (tools/ksctl) puts it in the common component.

foreach(service ${KS_SERVICES})
  install(TARGETS kerjasosial-${service}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT ${service})
  install(FILES deploy/systemd/kerjasosial-${service}.service
    DESTINATION lib/systemd/system COMPONENT ${service})
  install(FILES deploy/${service}.env
    DESTINATION share/doc/kerjasosial-${service}/examples COMPONENT ${service})
  install(FILES docs/operators/${service}.md
    DESTINATION share/doc/kerjasosial-${service} RENAME operators.md
    COMPONENT ${service})
  set(KS_PKG_SERVICE ${service})
  configure_file(deploy/debian/postinst.in
    ${CMAKE_BINARY_DIR}/debian/${service}/postinst @ONLY)
  configure_file(deploy/debian/prerm.in
    ${CMAKE_BINARY_DIR}/debian/${service}/prerm @ONLY)
  string(TOUPPER ${service} up)
  set(CPACK_DEBIAN_${up}_PACKAGE_NAME kerjasosial-${service})
  set(CPACK_DEBIAN_${up}_PACKAGE_DEPENDS "kerjasosial-common (= ${PROJECT_VERSION}), adduser")
  set(CPACK_DEBIAN_${up}_PACKAGE_RECOMMENDS "redis-server (>= 5:7)")
  set(CPACK_DEBIAN_${up}_PACKAGE_CONTROL_EXTRA
    "${CMAKE_BINARY_DIR}/debian/${service}/postinst;${CMAKE_BINARY_DIR}/debian/${service}/prerm")
  set(CPACK_COMPONENT_${up}_DESCRIPTION
    "kerjasosial ${service} service, run by ${KS_AGENCY_${service}}")
endforeach()

set(CPACK_PACKAGE_NAME kerjasosial)
set(CPACK_PACKAGE_VENDOR "kerjasosial")
set(CPACK_PACKAGE_CONTACT "kerjasosial maintainers <kerjasosial@example.go.id>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "community-service sentence (pidana kerja sosial) information system")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING IGNORE)
set(CPACK_COMPONENTS_ALL common ${KS_SERVICES})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
# Library dependencies (libgrpc++, libprotobuf, libabsl, libhiredis, ...)
# computed by dpkg-shlibdeps from the binaries.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_COMMON_PACKAGE_NAME kerjasosial-common)
set(CPACK_DEBIAN_COMMON_PACKAGE_DEPENDS "redis-tools, openssl")
set(CPACK_COMPONENT_COMMON_DESCRIPTION
  "kerjasosial tools: ksctl, kerjasosial-token, kerjasosial-audit, Redis unit, backup and dev-CA scripts")
include(CPack)
