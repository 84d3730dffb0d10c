// What the conversation module announces; modules built on conversations (sharing) react.

/** A conversation and its messages were deleted (announced after the transaction, also when it failed). */
export class ConversationDeleted {
  constructor(
    readonly conversationId: string,
    readonly ownerId: string,
  ) {}
}
