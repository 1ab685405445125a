# hashmesh_proto_library(): compiles .proto files with protoc and the gRPC plugin
# into a static library; generated code lives only in the build tree.
#
#   hashmesh_proto_library(NAME lib IMPORT_DIRS dir... PROTOS file.proto...)
#
# PROTOS are paths relative to one of IMPORT_DIRS; the generated headers are
# included as "<same path>.pb.h" / ".grpc.pb.h".
find_program(HASHMESH_GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)

function(hashmesh_proto_library name)
  cmake_parse_arguments(ARG "" "" "IMPORT_DIRS;PROTOS" ${ARGN})
  set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/gen)
  set(import_flags)
  foreach(dir IN LISTS ARG_IMPORT_DIRS)
    list(APPEND import_flags -I${dir})
  endforeach()

  set(srcs)
  foreach(proto IN LISTS ARG_PROTOS)
    set(abs_proto "")
    foreach(dir IN LISTS ARG_IMPORT_DIRS)
      if(NOT abs_proto AND EXISTS ${dir}/${proto})
        set(abs_proto ${dir}/${proto})
      endif()
    endforeach()
    if(NOT abs_proto)
      message(FATAL_ERROR "hashmesh_proto_library: ${proto} not found in ${ARG_IMPORT_DIRS}")
    endif()
    string(REGEX REPLACE "\\.proto$" "" stem ${proto})
    set(generated ${out_dir}/${stem}.pb.cc ${out_dir}/${stem}.pb.h
                  ${out_dir}/${stem}.grpc.pb.cc ${out_dir}/${stem}.grpc.pb.h)
    add_custom_command(
      OUTPUT ${generated}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${out_dir}
      COMMAND protobuf::protoc ${import_flags}
              --cpp_out=${out_dir} --grpc_out=${out_dir}
              --plugin=protoc-gen-grpc=${HASHMESH_GRPC_CPP_PLUGIN} ${proto}
      DEPENDS ${abs_proto} protobuf::protoc
      COMMENT "protoc ${proto}"
      VERBATIM)
    list(APPEND srcs ${out_dir}/${stem}.pb.cc ${out_dir}/${stem}.grpc.pb.cc)
  endforeach()

  add_library(${name} STATIC ${srcs})
  # SYSTEM: generated code is not ours to warn about.
  target_include_directories(${name} SYSTEM PUBLIC ${out_dir})
  target_link_libraries(${name} PUBLIC protobuf::libprotobuf gRPC::grpc++)
  target_compile_features(${name} PUBLIC cxx_std_20)
endfunction()
