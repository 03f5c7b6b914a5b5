using System.Text.Json.Serialization;

namespace PartnerBot.Bot.Channels.Teams;

[JsonSerializable(typeof(TokenResponse))]
internal sealed partial class TeamsJsonContext : JsonSerializerContext;
