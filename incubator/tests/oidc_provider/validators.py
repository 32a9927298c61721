import json

from jwcrypto import jwt
from oauth2_provider.oauth2_validators import OAuth2Validator


class ProConnectLikeValidator(OAuth2Validator):
    """ProConnect's claims, each behind its scope, and the userinfo answer as a signed JWT."""

    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "email": "email",
        "given_name": "given_name",
        "usual_name": "usual_name",
    }

    def get_additional_claims(self, request):
        user = request.user
        return {"email": user.email, "given_name": user.first_name, "usual_name": user.last_name}

    def get_userinfo_claims(self, request):
        claims = super().get_userinfo_claims(request)
        claims.update(iss=self.get_oidc_issuer_endpoint(request), aud=request.client.client_id)
        key = request.client.jwk_key
        token = jwt.JWT(
            header=json.dumps({"alg": "RS256", "kid": key.thumbprint()}),
            claims=json.dumps(claims),
        )
        token.make_signed_token(key)
        return token.serialize()  # a string: oauthlib answers it as application/jwt
