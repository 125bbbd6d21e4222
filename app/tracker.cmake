add_executable(shoal-tracker ${CMAKE_CURRENT_LIST_DIR}/shoal_tracker_main.cpp)
target_link_libraries(shoal-tracker PRIVATE shoal_tracker CLI11::CLI11)
install(TARGETS shoal-tracker RUNTIME DESTINATION bin)
