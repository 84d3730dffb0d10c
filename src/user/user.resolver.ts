import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { Viewer } from "../auth/auth-checker";
import type { Context } from "../context";
import { User } from "./user.entity";
import { DeactivateAccountInput, LogInInput, SignUpInput, UpdateProfileInput } from "./user.inputs";
import { AuthPayload, DataExport, DeactivateAccountPayload, LogOutEverywherePayload, UpdateProfilePayload } from "./user.payloads";

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { nullable: true, description: "The signed-in user; null without a valid token." })
  me(@Ctx() ctx: Context): User | null {
    return ctx.viewer;
  }

  @Mutation(() => AuthPayload, { description: "Creates an account and signs it in." })
  async signUp(@Arg("input", () => SignUpInput, { description: "Email, password and display name of the new account." }) input: SignUpInput, @Ctx() ctx: Context): Promise<AuthPayload> {
    const session = await ctx.services.users.signUp(input, ctx.clientIp);
    ctx.viewer = session.user; // the rest of this response is read as the new user
    return session;
  }

  @Mutation(() => AuthPayload, { description: "Signs in with email and password." })
  async logIn(@Arg("input", () => LogInInput, { description: "The account's email and password." }) input: LogInInput, @Ctx() ctx: Context): Promise<AuthPayload> {
    const session = await ctx.services.users.logIn(input, ctx.clientIp);
    ctx.viewer = session.user;
    return session;
  }

  @Authorized()
  @Mutation(() => DeactivateAccountPayload, {
    description: "Ends your account: every share link and every session token stops working, and logging in is refused.",
  })
  async deactivateAccount(
    @Arg("input", () => DeactivateAccountInput, { description: "Your password, to confirm." }) input: DeactivateAccountInput,
    @Viewer() viewer: User,
    @Ctx() ctx: Context,
  ): Promise<DeactivateAccountPayload> {
    await ctx.services.users.deactivate(viewer, input.password, ctx.clientIp);
    ctx.viewer = null;
    return { deactivatedUserId: viewer.nodeId };
  }

  @Authorized()
  @Mutation(() => LogOutEverywherePayload, {
    description: "Signs you out on every device: every session token issued so far stops working, this one included.",
  })
  async logOutEverywhere(@Viewer() viewer: User, @Ctx() ctx: Context): Promise<LogOutEverywherePayload> {
    await ctx.services.users.logOutEverywhere(viewer);
    ctx.viewer = null;
    return { userId: viewer.nodeId };
  }

  @Authorized()
  @Mutation(() => UpdateProfilePayload, { description: "Changes your display name. Links with NAMED attribution show the new name at once." })
  async updateProfile(
    @Arg("input", () => UpdateProfileInput, { description: "The new profile values." }) input: UpdateProfileInput,
    @Viewer() viewer: User,
    @Ctx() ctx: Context,
  ): Promise<UpdateProfilePayload> {
    const user = await ctx.services.users.updateProfile(viewer, input.displayName);
    ctx.viewer = user;
    return { user };
  }

  @Authorized()
  @Query(() => DataExport, { description: "Everything kept about you (profile, conversations, messages, share links) as JSON." })
  async exportMyData(@Viewer() viewer: User, @Ctx() ctx: Context): Promise<DataExport> {
    return { exportedAt: new Date(), data: await ctx.services.dataExport.export(viewer) };
  }
}
