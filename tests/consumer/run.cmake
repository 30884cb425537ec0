# Installs minnow from a build folder into a scratch prefix, then configures, builds and runs the
# consumer project (tests/consumer) against that prefix: the proof that find_package(minnow) and
# minnow::minnow work from another project. Run by ctest as
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DGENERATOR=... -DCXX_COMPILER=... -P run.cmake
foreach(var BUILD_DIR SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run.cmake needs -D${var}=...")
  endif()
endforeach()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "${out}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${err}")
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(file minnow.h core/tensor.h layers/dense.h layers/batch_normalization.h optim/adam.h)
  if(NOT EXISTS ${prefix}/include/minnow/${file})
    message(FATAL_ERROR "the install is missing include/minnow/${file}")
  endif()
endforeach()
foreach(file libminnow.a libminnow_plot.a libminnow_diagram.a minnowConfig.cmake minnowConfigVersion.cmake minnowTargets.cmake)
  file(GLOB_RECURSE found ${prefix}/${file})  # under lib/ or lib/<multiarch>/
  if(NOT found)
    message(FATAL_ERROR "the install has no ${file}")
  endif()
endforeach()
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build -G ${GENERATOR} -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_PREFIX_PATH=${prefix})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer)
file(REMOVE_RECURSE ${WORK_DIR})
