add_executable(shoal-tracker ${CMAKE_CURRENT_LIST_DIR}/shoal_tracker_main.cpp)
target_link_libraries(shoal-tracker PRIVATE shoal_tracker CLI11::CLI11)
install(TARGETS shoal-tracker RUNTIME DESTINATION bin)
install(FILES ${CMAKE_SOURCE_DIR}/resources/shoal-tracker.1 DESTINATION share/man/man1)
install(FILES ${CMAKE_SOURCE_DIR}/resources/shoal-tracker.example.toml
        DESTINATION share/doc/shoal-tracker)
shoal_install_unit(${CMAKE_SOURCE_DIR}/resources/shoal-tracker.service.in)
shoal_install_unit(${CMAKE_SOURCE_DIR}/resources/shoal-tracker@.service.in)
