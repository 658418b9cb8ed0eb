# Command groups contributed by core modules. Each adds its cmd_*.cpp, the
# libraries it needs and a definition that main.cpp uses to register it.
# Example:
#   if(TARGET understudy_corpus)
#     list(APPEND UNDERSTUDY_CLI_SOURCES cmd_corpus.cpp)
#     list(APPEND UNDERSTUDY_CLI_LIBS understudy::corpus)
#     list(APPEND UNDERSTUDY_CLI_DEFINITIONS UNDERSTUDY_HAVE_CORPUS_CLI)
#   endif()

if(TARGET understudy_corpus)
  list(APPEND UNDERSTUDY_CLI_SOURCES cmd_corpus.cpp)
  list(APPEND UNDERSTUDY_CLI_LIBS understudy::corpus)
  list(APPEND UNDERSTUDY_CLI_DEFINITIONS UNDERSTUDY_HAVE_CORPUS_CLI)
  # `corpus synth` (cmd_corpus_synth.cpp), registered by cmd_corpus.cpp under this define.
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/cmd_corpus_synth.cpp)
    list(APPEND UNDERSTUDY_CLI_SOURCES cmd_corpus_synth.cpp)
    list(APPEND UNDERSTUDY_CLI_DEFINITIONS UNDERSTUDY_HAVE_SYNTH_CLI)
  endif()
endif()

if(TARGET understudy_align)
  list(APPEND UNDERSTUDY_CLI_SOURCES cmd_targets.cpp)
  list(APPEND UNDERSTUDY_CLI_LIBS understudy::align)
  list(APPEND UNDERSTUDY_CLI_DEFINITIONS UNDERSTUDY_HAVE_ALIGN_CLI)
endif()

if(TARGET understudy_train)
  list(APPEND UNDERSTUDY_CLI_SOURCES cmd_train.cpp cmd_evaluate.cpp cmd_label.cpp)
  list(APPEND UNDERSTUDY_CLI_LIBS understudy::train)
  list(APPEND UNDERSTUDY_CLI_DEFINITIONS UNDERSTUDY_HAVE_TRAIN_CLI)
endif()

# `worker` and `train --workers N` (in cmd_train.cpp): distributed training.
if(TARGET understudy_train AND TARGET understudy_dist)
  list(APPEND UNDERSTUDY_CLI_LIBS understudy::dist)
  list(APPEND UNDERSTUDY_CLI_DEFINITIONS UNDERSTUDY_HAVE_DIST_CLI)
endif()

# `decode` needs the model (train) and the graph, search and scoring (decode).
if(TARGET understudy_train AND TARGET understudy_decode)
  list(APPEND UNDERSTUDY_CLI_SOURCES cmd_decode.cpp)
  list(APPEND UNDERSTUDY_CLI_LIBS understudy::decode)
  list(APPEND UNDERSTUDY_CLI_DEFINITIONS UNDERSTUDY_HAVE_DECODE_CLI)
endif()

# `run RECIPE`: the recipe runner (core/pipeline with its torch modules).
if(TARGET understudy_dist AND TARGET understudy_decode)
  list(APPEND UNDERSTUDY_CLI_SOURCES cmd_run.cpp)
  list(APPEND UNDERSTUDY_CLI_DEFINITIONS UNDERSTUDY_HAVE_RUN_CLI)
endif()
