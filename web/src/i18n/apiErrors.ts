// The API answers errors in English, each with a stable `code` (and a `type` per invalid field). In Portuguese
// the UI words them itself; in English it shows the API's own sentence, which can be more specific.
import { fill, type Language, type Vars } from "./translate";

/** Portuguese for every `code` the REST API answers with (tests/web/test_error_catalogue.py keeps it complete). */
export const PT_BR_ERRORS: Record<string, string> = {
  active_ticket_exists: "Este contato já tem outro atendimento ativo nesta conexão; continue por ele.",
  admin_only: "Só administradores podem fazer isso.",
  already_connected: "Esta conexão já está conectada.",
  bad_request: "Pedido inválido.",
  conflict: "Outra pessoa alterou isto ao mesmo tempo; tente novamente.",
  connection_name_taken: "Já existe uma conexão com este nome.",
  connection_not_found: "Esta conexão não existe.",
  contact_busy: "Este contato está sendo alterado por outra pessoa; tente novamente.",
  contact_not_found: "Este contato não existe.",
  duplicate_phone: "Outro contato já tem este número.",
  email_taken: "Já existe um usuário com este e-mail.",
  empty_file: "O arquivo está vazio.",
  file_too_large: "O arquivo é maior que o tamanho permitido.",
  forbidden: "Você não tem permissão para isso.",
  internal_error: "Algo deu errado do nosso lado. Tente novamente.",
  invalid: "Confira os dados informados.",
  invalid_credentials: "E-mail ou senha incorretos.",
  invalid_cursor: "A lista mudou enquanto você a percorria; recarregue a página.",
  invalid_group_id: "O id do grupo deve ter só os dígitos que o WhatsApp dá ao grupo.",
  invalid_json: "O pedido enviado não é um JSON válido.",
  invalid_phone: "Informe o número com código do país e DDD, por exemplo +55 11 98888-7777.",
  last_admin: "Não é possível fazer isso com o último administrador; torne outro usuário administrador antes.",
  media_not_found: "Este arquivo não existe ou você não pode vê-lo.",
  message_not_found: "Esta mensagem não existe ou você não pode vê-la.",
  method_not_allowed: "Operação não permitida.",
  metrics_token_required: "Informe o token de métricas.",
  no_pairing_code: "Ainda não há código de pareamento: conecte informando um número de telefone.",
  no_qr_code: "Não há QR code para ler agora: clique em Conectar primeiro.",
  not_closed: "Só um atendimento fechado pode ser reaberto.",
  not_failed: "Só uma mensagem que falhou pode ser reenviada.",
  not_found: "Não encontrado.",
  not_pending: "Só um atendimento pendente pode ser aceito.",
  nothing_to_do: "Escolha o que fazer: uma ação, um atendente ou uma fila.",
  nul_character: "O texto não pode conter o caractere NUL.",
  payload_too_large: "O envio é grande demais.",
  queue_name_taken: "Já existe uma fila com este nome.",
  queue_not_found: "Esta fila não existe.",
  quick_answer_not_found: "Esta resposta rápida não existe.",
  dead_letter_not_found: "Esta mensagem não processada não existe mais.",
  refresh_token_reused: "Sua sessão foi encerrada por segurança. Entre novamente.",
  refresh_token_revoked: "Sua sessão foi encerrada. Entre novamente.",
  setting_not_found: "Esta configuração não existe.",
  shortcut_taken: "Este atalho já está em uso.",
  simulator_disabled: "O simulador está desativado neste servidor.",
  avatar_not_found: "Este contato não tem foto de perfil.",
  contact_field_not_found: "Este campo personalizado não existe.",
  contact_field_taken: "Já existe um campo personalizado com esta chave.",
  invalid_custom_field: "O valor não combina com o tipo do campo (número, data AAAA-MM-DD ou e-mail).",
  unknown_custom_field: "Este campo personalizado não foi definido por um administrador.",
  edit_too_late: "O WhatsApp só permite editar uma mensagem até 15 minutos depois do envio.",
  message_deleted: "Esta mensagem foi apagada.",
  message_not_sent: "Esta mensagem ainda não chegou ao WhatsApp. Aguarde o envio.",
  not_audio: "O arquivo não é uma gravação de áudio.",
  not_editable: "Só mensagens de texto podem ser editadas.",
  not_forwardable: "Esta mensagem não pode ser encaminhada.",
  not_on_whatsapp: "Uma nota interna nunca vai para o WhatsApp.",
  not_your_message: "Só quem enviou a mensagem pode editá-la ou apagá-la.",
  tag_name_taken: "Já existe uma etiqueta com este nome.",
  tag_not_found: "Esta etiqueta não existe.",
  ticket_active_elsewhere: "Este contato já tem um atendimento ativo nesta conexão, numa fila da qual você não faz parte.",
  ticket_closed: "Este atendimento está fechado. Reabra-o primeiro.",
  ticket_not_found: "Este atendimento não existe ou você não pode vê-lo.",
  token_expired: "Sua sessão expirou. Entre novamente.",
  token_invalid: "Sessão inválida. Entre novamente.",
  too_many_requests: "Muitas tentativas seguidas. Aguarde um pouco e tente de novo.",
  transfer_target_required: "Escolha um atendente ou uma fila para transferir.",
  unauthorized: "Entre para continuar.",
  unavailable: "Serviço indisponível no momento. Tente novamente em instantes.",
  unknown_connection: "Esta conexão não existe.",
  unknown_contact: "Este contato não existe.",
  unknown_queue: "Uma das filas escolhidas não existe.",
  unknown_quoted_message: "A mensagem citada não faz parte deste atendimento.",
  unknown_tag: "Esta etiqueta não existe (talvez tenha sido excluída).",
  unknown_user: "Este usuário não existe.",
  unsupported_media_type:
    "Este tipo de arquivo não pode ser enviado. Envie imagens, áudio, vídeo, PDF, documentos, arquivos compactados ou texto.",
  user_gone: "Esta conta não existe mais.",
  user_not_found: "Este usuário não existe.",
  cloud_account_missing: "Esta conexão ainda não tem os dados da conta na Meta.",
  encryption_key_missing: "Defina ENCRYPTION_KEY no servidor antes de guardar segredos: eles ficam criptografados com ela.",
  not_a_cloud_connection: "Só uma conexão da API oficial tem dados da conta na Meta.",
  not_reactable: "Não é possível reagir a esta mensagem.",
  not_stored: "Não foi possível guardar agora; será entregue de novo mais tarde.",
  phone_number_id_taken: "Outra conexão já usa este ID de número de telefone.",
  signature_invalid: "A assinatura do webhook não confere com a chave secreta do app.",
  signature_missing: "A entrega do webhook não veio assinada.",
  template_not_found: "Não há modelo aprovado com este nome e idioma para esta conexão.",
  template_variable_missing: "Preencha todas as variáveis do modelo.",
  templates_unavailable: "A Meta não listou os modelos agora; tente novamente.",
  verify_token_invalid: "O token de verificação não confere com o desta conexão.",
  webhook_unreadable: "O corpo recebido não é uma notificação do WhatsApp.",
  window_closed: "A janela de 24 horas de atendimento está encerrada: o cliente não escreve há mais de 24 horas. Envie um modelo aprovado.",
  api_token_invalid: "O token de API é inválido.",
  api_token_revoked: "Este token de API foi revogado.",
  api_token_expired: "Este token de API expirou.",
  api_token_scope: "Este token de API não tem permissão para isso.",
  api_token_not_found: "Este token de API não existe.",
  private_address: "Este endereço aponta para a rede interna (privada, loopback ou link-local): o zapdesk não envia para lá.",
  invalid_url: "Informe um endereço http:// ou https://.",
  unresolvable_host: "Não foi possível encontrar este endereço.",
  media_url_failed: "Não foi possível baixar o arquivo da URL informada.",
  webhook_endpoint_not_found: "Este webhook não existe.",
  webhook_delivery_not_found: "Esta entrega de webhook não existe.",
};

/** Portuguese for the validation `type`s of a field, with the limits the API gives in `ctx`. */
export const PT_BR_FIELD_ERRORS: Record<string, string> = {
  missing: "Obrigatório.",
  string_too_short: "Use pelo menos {min_length} caracteres.",
  string_too_long: "Use no máximo {max_length} caracteres.",
  too_short: "Escolha pelo menos {min_length}.",
  too_long: "Escolha no máximo {max_length}.",
  greater_than_equal: "Use um valor a partir de {ge}.",
  less_than_equal: "Use um valor até {le}.",
  greater_than: "Use um valor maior que {gt}.",
  less_than: "Use um valor menor que {lt}.",
  int_parsing: "Informe um número inteiro.",
  int_type: "Informe um número inteiro.",
  int_from_float: "Informe um número inteiro.",
  string_type: "Informe um texto.",
  bool_type: "Informe sim ou não.",
  bool_parsing: "Informe sim ou não.",
  list_type: "Informe uma lista.",
  enum: "Escolha uma das opções: {expected}.",
  literal_error: "Escolha uma das opções: {expected}.",
  extra_forbidden: "Campo desconhecido.",
  email_invalid: "Informe um e-mail válido, como nome@empresa.com.",
  shortcut_empty: "Informe o atalho.",
  shortcut_has_spaces: "O atalho não pode ter espaços.",
  shortcut_too_long: "O atalho tem no máximo {max_length} caracteres.",
  value_error: "Valor inválido.",
};

export interface FieldIssue {
  message: string; // the API's English sentence
  type: string;
  ctx: Vars;
}

export function apiErrorText(language: Language, code: string, detail: string): string {
  if (language === "en") return detail;
  return PT_BR_ERRORS[code] ?? detail;
}

export function fieldErrorText(language: Language, issue: FieldIssue): string {
  if (language === "en") return issue.message;
  // "At least 1 character" is what an empty required text gets.
  const type = issue.type === "string_too_short" && issue.ctx.min_length === 1 ? "missing" : issue.type;
  const template = PT_BR_FIELD_ERRORS[type] ?? PT_BR_FIELD_ERRORS.value_error;
  return template ? fill(template, issue.ctx) : issue.message;
}
