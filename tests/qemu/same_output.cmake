# Runs IMAGE_CMD and HOSTED_CMD; both must exit 0 with identical output.
execute_process(COMMAND ${IMAGE_CMD} RESULT_VARIABLE image_rc OUTPUT_VARIABLE image_out TIMEOUT 80)
execute_process(COMMAND ${HOSTED_CMD} RESULT_VARIABLE hosted_rc OUTPUT_VARIABLE hosted_out TIMEOUT 80)
if(NOT image_rc EQUAL 0 OR NOT hosted_rc EQUAL 0 OR NOT image_out STREQUAL hosted_out)
  message(FATAL_ERROR "image (exit ${image_rc}):\n[${image_out}]\nhosted (exit ${hosted_rc}):\n[${hosted_out}]")
endif()
