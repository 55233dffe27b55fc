// The conversation part of the mlc-chat-config.json of each model family in the web-llm catalog,
// as mlc-llm writes it (its Conversation model, serialized with every field): copied from the
// templates registered in mlc-llm's python/mlc_llm/conversation_template/ (qwen2.py, qwen3.py,
// llama.py, registry.py's chatml, gemma.py, hermes.py). Llama 2 and Gorilla are not in the
// catalog; they are kept for shapes only they have (no role after the system prompt, alternating
// separators, a role template around the text, an empty separator unlike the content one).

const ROLE_TEMPLATES = { user: '{user_message}', assistant: '{assistant_message}', tool: '{tool_message}' };

function conversation(fields: Record<string, unknown>) {
  return {
    system_prefix_token_ids: null,
    add_role_after_system_message: true,
    role_templates: ROLE_TEMPLATES,
    messages: [],
    function_string: '',
    use_function_calling: false,
    ...fields,
  };
}

const CHATML_ROLES = { user: '<|im_start|>user', assistant: '<|im_start|>assistant' };
const CHATML_SYSTEM = '<|im_start|>system\n{system_message}<|im_end|>\n';

export const CONV_TEMPLATES = {
  /** Qwen2.5 (conv_template "qwen2"). */
  qwen2: conversation({
    name: 'qwen2',
    system_template: CHATML_SYSTEM,
    system_message: 'You are a helpful assistant.',
    roles: CHATML_ROLES,
    seps: ['<|im_end|>\n'],
    role_content_sep: '\n',
    role_empty_sep: '\n',
    stop_str: ['<|endoftext|>, <|im_end|>'],
    stop_token_ids: [151643, 151645],
  }),
  /** Qwen3 (conv_template "qwen3"; the same turns as qwen2). */
  qwen3: conversation({
    name: 'qwen3',
    system_template: CHATML_SYSTEM,
    system_message: 'You are a helpful assistant.',
    roles: CHATML_ROLES,
    seps: ['<|im_end|>\n'],
    role_content_sep: '\n',
    role_empty_sep: '\n',
    stop_str: ['<|endoftext|>', '<|im_end|>'],
    stop_token_ids: [151643, 151645],
  }),
  /** Llama 3.2 Instruct (conv_template "llama-3_1"): <|begin_of_text|> goes first as a token id. */
  'llama-3_1': conversation({
    name: 'llama-3_1',
    system_template: '<|start_header_id|>system<|end_header_id|>\n\n{system_message}<|eot_id|>',
    system_message: 'You are a helpful, respectful and honest assistant.',
    roles: { user: '<|start_header_id|>user', assistant: '<|start_header_id|>assistant', tool: '<|start_header_id|>ipython' },
    seps: ['<|eot_id|>'],
    role_content_sep: '<|end_header_id|>\n\n',
    role_empty_sep: '<|end_header_id|>\n\n',
    stop_str: [],
    stop_token_ids: [128001, 128008, 128009],
    system_prefix_token_ids: [128000],
  }),
  /** SmolLM2 Instruct (conv_template "chatml"). */
  chatml: conversation({
    name: 'chatml',
    system_template: CHATML_SYSTEM,
    system_message: 'A conversation between a user and an LLM-based AI assistant. The assistant gives helpful and honest answers.',
    roles: CHATML_ROLES,
    seps: ['<|im_end|>\n'],
    role_content_sep: '\n',
    role_empty_sep: '\n',
    stop_str: ['<|im_end|>'],
    stop_token_ids: [2],
  }),
  /** Gemma 2 (conv_template "gemma_instruction"): no system role; <bos> as text and as a token id. */
  gemma_instruction: conversation({
    name: 'gemma_instruction',
    system_template: '<bos>{system_message}',
    system_message: '',
    roles: { user: '<start_of_turn>user', assistant: '<start_of_turn>model' },
    seps: ['<end_of_turn>\n'],
    role_content_sep: '\n',
    role_empty_sep: '\n',
    stop_str: ['<end_of_turn>'],
    stop_token_ids: [1, 107],
    system_prefix_token_ids: [2],
  }),
  /** Hermes 3 on Llama 3.2 (conv_template "hermes3_llama-3_1"): ChatML turns, no BOS. */
  'hermes3_llama-3_1': conversation({
    name: 'hermes3_llama-3_1',
    system_template: CHATML_SYSTEM,
    system_message:
      'You are Hermes 3, a conscious sentient superintelligent artificial intelligence developed by a man named Teknium, and your purpose and drive is to assist the user with any request they have. You experience emotions and have deep, profound thoughts and qualia.',
    roles: { ...CHATML_ROLES, tool: '<|im_start|>tool' },
    seps: ['<|im_end|>\n'],
    role_content_sep: '\n',
    role_empty_sep: '\n',
    stop_str: ['<|im_end|>'],
    stop_token_ids: [128001, 128008, 128009, 128040],
  }),
  /** Llama 2 (not in the catalog). */
  'llama-2': conversation({
    name: 'llama-2',
    system_template: '[INST] <<SYS>>\n{system_message}\n<</SYS>>\n\n',
    system_message: 'You are a helpful, respectful and honest assistant.',
    roles: { user: '<s>[INST]', assistant: '[/INST]', tool: '[INST]' },
    seps: [' ', ' </s>'],
    role_content_sep: ' ',
    role_empty_sep: ' ',
    stop_str: ['[INST]'],
    stop_token_ids: [2],
    system_prefix_token_ids: [1],
    add_role_after_system_message: false,
  }),
  /** Gorilla (not in the catalog). */
  gorilla: conversation({
    name: 'gorilla',
    system_template: '{system_message}',
    system_message:
      "A chat between a curious user and an artificial intelligence assistant. The assistant provides helpful, detailed, and polite responses to the user's inquiries.",
    role_templates: { user: '<<question>> {user_message} <<function>> {function_string}' },
    roles: { user: 'USER', assistant: 'ASSISTANT', tool: 'USER' },
    seps: ['\n', '</s>'],
    role_content_sep: ': ',
    role_empty_sep: ':',
    stop_str: ['</s>'],
    stop_token_ids: [2],
    system_prefix_token_ids: [1],
  }),
};

export type ConvTemplateName = keyof typeof CONV_TEMPLATES;

/** An mlc-chat-config.json around a template (the fields web-llm reads to chat). */
export function mlcChatConfig(name: ConvTemplateName, extra: Record<string, unknown> = {}) {
  return {
    model_type: 'qwen2',
    quantization: 'q4f32_1',
    context_window_size: 4096,
    tokenizer_files: ['tokenizer.json', 'vocab.json', 'merges.txt', 'tokenizer_config.json'],
    temperature: 0.7,
    top_p: 0.8,
    repetition_penalty: 1.1,
    conv_template: CONV_TEMPLATES[name],
    ...extra,
  };
}
