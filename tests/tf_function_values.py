"""Logs of the programs in tests/tf_function_programs.py measured on TensorFlow 2.21.0
by tests/measure_tf_function.py. Generated: do not edit by hand.

NOTES are TensorFlow details adkernel need not share (exact exception classes and
messages); tests never compare them."""

TF_VERSION = '2.21.0'

LOGS = {'adam_slots_made_in_the_first_call_trace_twice': [[4.0, 2.89], 2, 1.9663, 3],
 'bool_of_tensor_inside': [True, True],
 'closure_python_value_frozen_at_trace': [2.0, 2.0, 1],
 'closure_variable_seen_live': [2.0, 10.0, 1],
 'concrete_function_binds_lists_and_refuses_dtypes': [[2.0, 4.0],
                                                      [2.0, 4.0],
                                                      [2.0, 4.0],
                                                      [2.0, 4.0],
                                                      'InvalidArgumentError',
                                                      'InvalidArgumentError',
                                                      'TypeError'],
 'concrete_function_from_example': [6.0, 1, 1.0, 1],
 'concrete_function_from_spec': ['traced', 1, [2.0, 5.0], [10.0, 17.0], [26.0, 37.0], 1],
 'concrete_function_none_dimension': [[1.0, 1.0], [4.0, 4.0], 1],
 'concrete_function_of_input_signature': [[3.0, 6.0], 1],
 'concrete_function_wrong_signature': ['TypeError', True, True, [2.0, 3.0]],
 'dict_argument': ['traced', 6.0, 20.0, 1],
 'equal_python_numbers_share_a_trace': ['traced with 2',
                                        2.0,
                                        2.0,
                                        'traced with True',
                                        1.0,
                                        1.0,
                                        'traced with 3.5',
                                        3.5,
                                        3],
 'explicit_cond_and_while_loop': [16.0, -16.0, 1],
 'first_call_creating_variables_traces_twice': ['body', 'body', 11.0, 2, 12.0, 2, 1],
 'float_of_tensor_inside': [3.0, -7.5],
 'for_over_python_range_unrolled': [8.0, 27.0, 32.0, 2],
 'for_over_tf_range': [0, 5, 55, 1],
 'function_calls_function': ['outer traced', 'inner traced', 13.0, 25.0, 1, 25.0],
 'gradient_through_a_call': [8.0, 12.0, [3.0, 27.0]],
 'gradient_through_a_call_to_captured_variable': [25.0, [30.0, 10.0]],
 'if_on_tensor_both_signs': [8.0, 6.0, 2.0, 3.0, 1],
 'if_on_tensor_gradient_both_signs': [[5.0, [2.0, 4.0]], [3.0, [-1.0, -1.0]]],
 'if_on_tensor_source_unavailable': [True, True],
 'input_signature_none_dimension': ['traced', 2.0, 3.0, 5.0, 3.0, 1],
 'input_signature_rejects': [[2.0], 'TypeError', 'TypeError', 'TypeError', 1],
 'input_signature_two_args_matrix': [[[5.0]], [[5.0], [5.0], [5.0]], 1],
 'keras_like_layer_builds_once': [('trace', 1),
                                  ('trace', 1),
                                  [[1.5, 1.5]],
                                  ('trace', 2),
                                  [[3.0, 3.0], [3.0, 3.0]],
                                  [[1.5, 1.5]],
                                  3,
                                  3],
 'lazy_model_first_step_returns_the_loss_before_the_update': [[1.0, 0.36, 0.1296],
                                                              [[[0.6079999804496765]],
                                                               [-0.3919999897480011]],
                                                              3],
 'module_method': ['traced', 2.0, 4.0, 'traced', 3.0, 1, [1, 1]],
 'numpy_array_arguments': ['traced',
                           [2.0, 4.0],
                           [6.0, 8.0],
                           'float64',
                           'traced',
                           [2.0, 4.0],
                           'float32',
                           2],
 'numpy_method_inside': [True, True],
 'persistent_tape_around_call': [2.0, 2.7182817459106445],
 'persistent_tape_inside': [[0.0, 2.0, 4.0],
                            [1.0, 0.5403022766113281, -0.416146844625473]],
 'print_and_tf_print_order': ['python', ['tf 1'], ['tf 2'], 'python', ['tf [3 4]']],
 'python_bool_flag_by_value': [[1.0, 2.0], [2.0, 4.0], [1.0, 2.0], 2],
 'python_counter_in_body': [11.0, 21.0, 1],
 'python_keyword_by_value': [3.0, 6.0, 6.0, 3.0, 2],
 'python_list_argument_by_value': [('traced', [1.0, 2.0]),
                                   3.0,
                                   ('traced', [3.0, 4.0]),
                                   7.0,
                                   3.0,
                                   2],
 'python_list_grows_once_per_trace': [1, 2, 11.0, 2],
 'python_print_once': [8.0, ['tracing f']],
 'python_scalars_by_value': [('trace', 2), 20, ('trace', 3), 30, 20, 2],
 'reduce_retracing_generalises': ['traced', 2.0, 'traced', 3.0, 4.0, 5.0, 2],
 'retrace_new_dtype': ['float32', 3.0, 'int32', 4, 'float64', 5.0, 14, 3],
 'retrace_new_shape': [[], 1.0, [2], 3.0, [3], 6.0, 9.0, 3],
 'returns_nested_structures': [['double', 'parts'],
                               'tuple',
                               'list',
                               {'double': 6.0, 'parts': [4.0, [2.0, 9.0]]}],
 'returns_python_numbers_as_tensors': [[True, 'int32', 3],
                                       [True, 'float32', 1.5],
                                       [True, 'int32', 2],
                                       1.0],
 'second_derivative_inside': [[0.9182168245315552, 1.1036007404327393],
                              [1.5154523849487305, -1.3547680377960205],
                              1],
 'second_derivative_through_a_call': [14.0, 12.0],
 'side_effect_once': ['body ran', 2.0, 4.0, 6.0, 1],
 'tensor_then_python_number': [2.0, 2.0, 8.0, 3],
 'tf_function_of_lambda': [7.0, 21.0, 1],
 'tf_function_of_plain_function_call': ['plain body', 4.0, 3.0, 'plain body', 2.0],
 'tf_print_every_call': [1, 4, 9, ['x = 1', 'x = 2', 'x = 3'], 1],
 'tf_print_vector_and_step': [[0, 1],
                              ['step 0 w [4 8]', 'step 1 w [2 4]', 'step 2 w [1 2]'],
                              1],
 'tracing_count_starts_at_zero': [0, 1],
 'training_step_keras_sgd': [[4.25,
                              2.123300075531006,
                              1.0771379470825195,
                              0.562467098236084,
                              0.30922508239746094,
                              0.18457409739494324,
                              0.12317420542240143,
                              0.09288635104894638,
                              0.07790198922157288,
                              0.07044530659914017],
                             [[0.7854583859443665], [-0.07217492163181305]]],
 'training_step_tape_inside': [[21.0,
                                7.058749198913574,
                                2.3730216026306152,
                                0.798102855682373,
                                0.2687376141548157,
                                0.09078735113143921,
                                0.030950510874390602,
                                0.010813724249601364,
                                0.004021566826850176,
                                0.0017160241259261966],
                               [2.0092806816101074, 0.9575814604759216],
                               1],
 'variable_argument_reads_current_value': [5.0, 25.0, 1],
 'variable_created_every_call_fails': ['ValueError'],
 'variable_created_lazily_once': [1.0, 3.0, 6.0, 6.0],
 'variable_created_on_second_trace_fails': [1.0, 2.0, 'ValueError'],
 'while_on_tensor': [[128.0, 7], [120.0, 2], [200.0, 0], 1]}

NOTES = {'bool_of_tensor_inside': ['OperatorNotAllowedInGraphError',
                           'OperatorNotAllowedInGraphError'],
 'concrete_function_binds_lists_and_refuses_dtypes': ['TypeError: Fallback to flat '
                                                      'signature also failed due to: '
                                                      'f(x): expected argument '
                                                      '#0(zero-based) to be a Tensor; '
                                                      'got float (3.0).'],
 'concrete_function_wrong_signature': ['TypeError: Fallback to flat signature also '
                                       'failed due to: f(x) takes 1 positional '
                                       'arguments, got 2.',
                                       'InvalidArgumentError: cannot compute '
                                       '__inference_f_404 as input #0(zero-based) was '
                                       'expected to be a float tensor but is a int32 '
                                       'tensor [Op:__inference_f_404]'],
 'if_on_tensor_source_unavailable': ['OperatorNotAllowedInGraphError',
                                     'OperatorNotAllowedInGraphError'],
 'input_signature_rejects': ['TypeError: Binding inputs to tf.function failed due to '
                             '`Can not cast TensorSpec(shape=(2,), dtype=tf.int32, '
                             'name=None) to TensorSpec(shape=(None,), dtype=tf.float32, '
                             'name=',
                             'TypeError: Binding inputs to tf.function failed due to '
                             '`Can not cast TensorSpec(shape=(1, 1), dtype=tf.float32, '
                             'name=None) to TensorSpec(shape=(None,), dtype=tf.float32, '
                             'n',
                             'TypeError: Binding inputs to tf.function failed due to '
                             '`too many positional arguments`. Received args: '
                             '(<tf.Tensor: shape=(1,), dtype=float32, numpy=array([1.], '
                             'dtype=floa'],
 'numpy_method_inside': ['AttributeError', 'AttributeError'],
 'variable_created_every_call_fails': ['ValueError:     ValueError: tf.function only '
                                       'supports singleton tf.Variables created on the '
                                       'first call. Make sure the tf.Variable is only '
                                       'created once or created outside tf'],
 'variable_created_on_second_trace_fails': ['ValueError:     ValueError: tf.function '
                                            'only supports singleton tf.Variables '
                                            'created on the first call. Make sure the '
                                            'tf.Variable is only created once or created '
                                            'outside tf']}
